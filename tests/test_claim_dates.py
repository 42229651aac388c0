"""A claim's three dates: its article's publication date, the date its number was stated (the
article's when empty) and its figure's period (`archive/claim_dates.py`).

The seed's numbers were all given at the debriefing of 26 November 2019, after the periods they
count ended; Thunderball's period starts on 4 June 2019.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from archive.models import Article, Claim, Figure
from tests.admin_forms import form_data
from tests.csv_support import export_csv, import_csv
from tests.test_desk import at, desk_url, report  # noqa: F401 (a fixture)
from tests.test_public_pages import visible

THUNDERBALL_WEIGHT = "thunderball-2019-weight-china-customs"  # 4 to 30 June 2019
BEFORE_START = "A number cannot be stated for a period that has not begun."


@pytest.fixture
def weight_claim(seed):
    """China Daily (27 November 2019): “... which involved a total 1.64 tons ...”, stated on 26 November."""
    return Claim.objects.get(figure__slug=THUNDERBALL_WEIGHT)


def test_the_seed_records_the_debriefing_as_each_claims_statement_date(seed):
    assert set(Claim.objects.values_list("stated_on", flat=True)) == {date(2019, 11, 26)}


def test_it_shows_each_value_s_statement_date_beside_its_article_s(client, weight_claim):
    page = visible(client.get(reverse("archive:figure_detail", args=[THUNDERBALL_WEIGHT])))
    assert "Stated 26 November 2019 " in page
    assert "before the period ended" not in page
    Claim.objects.filter(pk=weight_claim.pk).update(stated_on=None)
    page = visible(client.get(reverse("archive:figure_detail", args=[THUNDERBALL_WEIGHT])))
    assert "Stated 27 November 2019 (the article's date)" in page


@pytest.mark.parametrize(
    ("period_end", "interim"),
    [(date(2019, 12, 31), True), (date(2019, 11, 26), True), (date(2019, 11, 25), False)],
)
def test_it_shows_a_value_stated_before_its_period_ended_as_interim(client, weight_claim, period_end, interim):
    Figure.objects.filter(slug=THUNDERBALL_WEIGHT).update(period_end=period_end)
    page = visible(client.get(reverse("archive:figure_detail", args=[THUNDERBALL_WEIGHT])))
    assert ("as of 26 November 2019, before the period ended" in page) is interim


def claim_page(client, claim):
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    return url, form_data(client.get(url))


@pytest.mark.parametrize(
    ("stated_on", "refused"),
    [("3 June 2019", True), ("2019-06-04", False), ("June 5, 2019", False)],
)
def test_the_admin_refuses_a_statement_dated_before_the_figure_s_period(
    editor_client, weight_claim, stated_on, refused
):
    url, data = claim_page(editor_client, weight_claim)
    data["stated_on"] = stated_on
    response = editor_client.post(url, data)
    weight_claim.refresh_from_db()
    if refused:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["stated_on"] == [
            "Stated on 3 June 2019, before the period of the figure “Endangered species and products involved in "
            "China customs' Operation Thunderball cases, June 2019” starts (4 June 2019): a number cannot be stated "
            "for a period that has not begun."
        ]
        assert weight_claim.stated_on == date(2019, 11, 26)
    else:
        assert response.status_code == 302
        assert weight_claim.stated_on > date(2019, 6, 3)


def test_it_refuses_a_claim_in_an_article_dated_before_the_figure_s_period(editor_client, seed):
    early = Article.objects.create(
        outlet_id=Article.objects.first().outlet_id,
        title="A preview",
        slug="a-preview",
        published_on=date(2019, 6, 1),
        body="Customs expect to seize 1.64 tons this summer.",
    )
    response = editor_client.post(
        reverse("admin:archive_claim_add"),
        {
            "article": early.pk,
            "figure": Figure.objects.get(slug=THUNDERBALL_WEIGHT).pk,
            "quote": "seize 1.64 tons",
            "value": "1.64",
            "unit": "t",
            "bound": "exact",
            "status": "draft",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert "The article “A preview” is dated 1 June 2019, before the period of the figure" in (
        " ".join(response.context["adminform"].form.errors["article"])
    )
    assert not Claim.objects.filter(article=early).exists()


def test_it_refuses_an_article_date_or_a_period_that_would_put_a_claim_before_its_period(weight_claim):
    article = weight_claim.article
    article.published_on = date(2019, 6, 3)
    with pytest.raises(Exception, match="would put claims before the start of their figure's period"):
        article.full_clean()
    figure = weight_claim.figure
    figure.period_start, figure.period_end = date(2019, 11, 27), date(2019, 12, 31)
    with pytest.raises(Exception, match=f"claim {weight_claim.pk} "):
        figure.full_clean()
    figure.period_start = date(2019, 11, 26)
    figure.full_clean()


def test_the_desk_reads_a_statement_date_as_printed(editor_client, report):  # noqa: F811
    url = desk_url(report, at(report, "1.64"))
    data = form_data(editor_client.get(url))
    data.update(figure=str(Figure.objects.get(slug=THUNDERBALL_WEIGHT).pk), stated_on="26 November 2019")
    assert editor_client.post(url, data).status_code == 302
    assert Claim.objects.get(article=report).stated_on == date(2019, 11, 26)
    data.update(stated_on="1 May 2019")
    Claim.objects.filter(article=report).delete()
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert any(BEFORE_START.lower() in error for error in response.context["form"].errors["stated_on"])


def test_the_claims_csv_carries_the_statement_date_and_refuses_one_before_the_period(tmp_path, weight_claim):
    exported = export_csv("claims")
    header = exported.splitlines()[0].split(",")
    assert "stated_on" in header
    assert ",2019-11-26," in exported
    row = {
        "article": weight_claim.article.slug,
        "figure": THUNDERBALL_WEIGHT,
        "quote": weight_claim.quote,
        "value": "1.64",
        "unit": "t",
        "bound": "exact",
        "stated_on": "2019-06-03",
    }
    result = import_csv(tmp_path, "claims", [list(row), list(row.values())])
    assert not result.ok
    assert any("stated_on" in line and "3 June 2019" in line for line in result.problems), result.problems
    row["stated_on"] = "2019-11-20"
    result = import_csv(tmp_path, "claims", [list(row), list(row.values())])
    assert result.ok, result.err
    weight_claim.refresh_from_db()
    assert (weight_claim.stated_on, weight_claim.value) == (date(2019, 11, 20), Decimal("1.64"))


def test_the_article_page_shows_each_value_s_statement_date(client, weight_claim):
    url = reverse("archive:article_detail", args=[weight_claim.article.slug])  # published 27 November 2019
    assert "26 November 2019" in visible(client.get(url))
    Figure.objects.filter(slug=THUNDERBALL_WEIGHT).update(period_end=date(2019, 12, 31))
    assert "as of 26 November 2019, before the period ended" in visible(client.get(url))


@pytest.mark.parametrize(("stated_on", "refused"), [("2019-11-27", False), ("2019-11-28", True)])
def test_it_refuses_a_statement_dated_after_its_article(editor_client, tmp_path, weight_claim, stated_on, refused):
    """China Daily's article is dated 27 November 2019: it can report a number stated that day, not later."""
    after = "Stated on 28 November 2019, after the article “Customs to boost efforts to foil smuggling” that prints it"
    url, data = claim_page(editor_client, weight_claim)
    data["stated_on"] = stated_on
    response = editor_client.post(url, data)
    assert response.status_code == (200 if refused else 302)
    if refused:
        assert response.context["adminform"].form.errors["stated_on"][0].startswith(after)
    row = {"article": weight_claim.article.slug, "figure": THUNDERBALL_WEIGHT, "quote": weight_claim.quote}
    row |= {"value": "1.64", "unit": "t", "bound": "exact", "stated_on": stated_on}
    result = import_csv(tmp_path, "claims", [list(row), list(row.values())])
    assert result.ok is not refused
    weight_claim.refresh_from_db()
    assert (weight_claim.stated_on == date(2019, 11, 28)) is False


def test_it_refuses_an_article_date_before_the_day_its_numbers_were_stated(weight_claim):
    article = weight_claim.article
    article.published_on = date(2019, 11, 25)
    with pytest.raises(Exception, match="before the day its numbers were stated"):
        article.full_clean()
    article.published_on = date(2019, 11, 26)
    article.full_clean()
