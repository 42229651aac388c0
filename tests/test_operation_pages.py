"""An operation's page: its figures a page at a time, every one of them counted, and the articles
that print one of its names found through an index on PostgreSQL."""

import json
import re

import pytest
from django.db import connection
from django.test import override_settings

from archive.filters import public_claims, public_figures
from archive.models import Article
from archive.views import OperationDetail
from archive.views.pages import printing

from .test_error_pages import BRANDED
from .test_public_pages import text

THUNDERBALL = "/operations/thunderball-2019/"


def shown(response):
    """The addresses of the figures the page shows, in order."""
    return re.findall(r'<h4><a href="(/figures/[^"]+/)">', text(response))


def every_figure():
    figures = public_figures().filter(operation__slug="thunderball-2019").order_by("measure", "title", "pk")
    return [figure.get_absolute_url() for figure in figures]


def test_it_shows_a_page_of_figures_and_the_next_page_the_next_ones(client, seed, monkeypatch):
    monkeypatch.setattr(OperationDetail, "paginate_by", 4)
    expected = every_figure()
    assert len(expected) == 9
    pages = [client.get(f"{THUNDERBALL}?page={number}") for number in (1, 2, 3)]
    assert [shown(page) for page in pages] == [expected[:4], expected[4:8], expected[8:]]
    first, second = text(pages[0]), text(pages[1])
    assert '<a href="?page=2"><span class="unseen">Page </span>2</a>' in first
    assert '<a rel="next" href="?page=3">' in second and '<a rel="prev" href="?page=1">' in second
    assert f'<link rel="canonical" href="http://testserver{THUNDERBALL}">' in first
    assert f'<link rel="canonical" href="http://testserver{THUNDERBALL}?page=2">' in second
    assert "<title>Operation Thunderball, page 2" in second
    assert shown(client.get(THUNDERBALL)) == expected[:4]


def test_it_counts_every_figure_by_status_and_links_to_the_lists_of_them_all(client, seed, monkeypatch):
    monkeypatch.setattr(OperationDetail, "paginate_by", 2)
    page = text(client.get(THUNDERBALL))
    figures = public_figures().filter(operation__slug="thunderball-2019")
    for status in figures.values_list("status", flat=True).distinct():
        count = figures.filter(status=status).count()
        assert re.search(rf'\?operation=thunderball-2019&amp;status={status}">{count} ', page), status
    claims = public_claims().filter(figure__operation__slug="thunderball-2019").count()
    assert claims > 9
    assert '<a href="/figures/?operation=thunderball-2019">9 figures</a>' in page
    assert f'<a href="/claims/?operation=thunderball-2019">{claims} claims</a>' in page
    listed = client.get("/claims/?operation=thunderball-2019").context["page_obj"].paginator.count
    assert listed == claims


def test_it_shows_the_hints_of_the_figures_on_the_page(client, seed, monkeypatch):
    monkeypatch.setattr(OperationDetail, "paginate_by", 1)
    hinted = set(
        figure.get_absolute_url()
        for figure in public_figures().filter(
            operation__slug="thunderball-2019", possible_misattributions__isnull=False
        )
    )
    assert hinted
    for number in range(1, 10):
        response = client.get(f"{THUNDERBALL}?page={number}")
        [figure] = shown(response)
        hints = response.context["hints"]
        assert bool(hints) == (figure in hinted)
        assert all(figure in (hint.figure.get_absolute_url(), hint.other.get_absolute_url()) for hint in hints)


def test_its_downloads_hold_every_figure_whatever_the_page(client, seed, monkeypatch):
    monkeypatch.setattr(OperationDetail, "paginate_by", 2)
    rows = text(client.get("/operations/thunderball-2019.csv")).strip().splitlines()[1:]
    assert len(rows) == 9
    assert len(json.loads(text(client.get("/operations/thunderball-2019.json")))["figures"]) == 9
    assert "Download all its figures as data" in text(client.get(THUNDERBALL))


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("query", "status"), [("?page=2", 404), ("?page=0", 404), ("?page=abc", 400), ("?page=1.5", 400)]
)
def test_a_page_of_figures_it_does_not_have_is_an_error_linking_to_the_first(client, seed, query, status):
    response = client.get(THUNDERBALL + query)
    assert response.status_code == status
    html = text(response)
    assert BRANDED in html
    assert f'<a href="{THUNDERBALL}">Go to the first page of the list</a>' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_the_articles_printing_a_name_can_be_found_through_the_trigram_indexes(seed):
    """The indexes' expressions must be the ones Django writes for `iregex`, or they are never used."""
    with connection.cursor() as cursor:
        # A test table is tiny: forbid reading it whole so the planner shows what it can use.
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
    plan = Article.objects.filter(printing("Operation Thunderball") | printing("Thunderball 2019")).explain()
    assert "article_title_regex_trgm" in plan and "article_body_regex_trgm" in plan, plan
