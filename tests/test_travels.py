"""A number's travels: the values of a figure and of the figures its hints link it to, in the
order they were stated, then published, each with who gave it to whom."""

from datetime import date
from decimal import Decimal

import pytest

from . import public_data as make

pytestmark = pytest.mark.django_db


def stops(client, figure):
    response = client.get(f"/figures/{figure.slug}/")
    assert response.status_code == 200
    return response.context["travels"], response.content.decode()


def test_the_seed_shows_the_1828_cases_of_all_countries_beside_the_1828_seizures_by_china(client, seed):
    from archive.models import Figure

    figure = Figure.objects.get(slug="thunderball-2019-seizures-china")
    travels, page = stops(client, figure)
    said = [(stop.claim.article.outlet.name, stop.claim.figure.slug, stop.claim.value) for stop in travels]
    assert said == [
        ("Global Times", "thunderball-2019-seizures-china", Decimal(1828)),
        ("China Daily", "thunderball-2019-cases-all-countries", Decimal(1828)),
    ]
    assert [stop.here for stop in travels] == [True, False]
    assert "The number&#x27;s travels" in page or "The number's travels" in page
    assert "gives <strong>1,828</strong> to" in page


def value_in(figure, value, source, published_on, stated_on=None, status="published"):
    quote = f"Officials said they seized {value:,} tonnes"
    article = make.article(f"Intro. {quote}. Outro.", source=make.outlet(source), published_on=published_on)
    return make.claim(article, figure, quote, value, stated_on=stated_on, status=status)


def test_values_run_in_the_order_stated_then_published_with_undated_ones_last(client):
    figure = make.figure()
    value_in(figure, 100, "Late Paper", date(2020, 3, 1))
    value_in(figure, 200, "Undated Paper", None)
    value_in(figure, 300, "Early Statement Paper", date(2020, 5, 1), stated_on=date(2020, 1, 10))
    value_in(figure, 400, "Same Day Later Paper", date(2020, 3, 2), stated_on=date(2020, 3, 1))
    travels, page = stops(client, figure)
    assert [stop.claim.value for stop in travels] == [300, 100, 400, 200]
    assert [stop.stated_apart for stop in travels] == [True, False, True, False]
    assert "10 January 2020</time>, published <time" in page


def test_drafts_and_unlinked_figures_stay_out(client):
    operation = make.operation()
    figure = make.figure(within=operation)
    value_in(figure, 100, "Paper A", date(2020, 3, 1))
    value_in(figure, 150, "Paper B", date(2020, 3, 2), status="draft")
    unrelated = make.figure(within=operation)
    value_in(unrelated, 900, "Paper C", date(2020, 3, 3))
    travels, page = stops(client, figure)
    assert [stop.claim.value for stop in travels] == [100]
    assert "The number" not in page  # one value has not travelled


def test_a_linked_figures_values_join_the_travels(client):
    operation = make.operation()
    figure = make.figure(within=operation, of=make.organisation("China customs"))
    value_in(figure, 1828, "Paper A", date(2020, 3, 2))
    elsewhere = make.figure(within=operation, of=make.organisation("All participants"))
    value_in(elsewhere, 1828, "Paper B", date(2020, 3, 1))
    travels, page = stops(client, figure)
    assert [(stop.claim.figure_id, stop.here) for stop in travels] == [(elsewhere.pk, False), (figure.pk, True)]
    assert f'href="{elsewhere.get_absolute_url()}#claim-' in page
    assert "to All participants" in page
