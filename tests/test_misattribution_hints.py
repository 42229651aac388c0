"""Possible misattributions: the rule (`archive/misattribution.py`) with its boundaries, and the
hint in words on every page that shows a figure, in the lists' filters and facets."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest

from archive.misattribution import ROUNDED, SAME, Value, agreement
from archive.models import Article, Claim, Figure, Operation, Organisation, Outlet
from archive.vocabulary import COMPARABLE_MEASURES, MEASURE_DIMENSION, Measure, comparison_group

from .test_public_pages import visible

THUNDERBALL_HINT = (
    "Global Times gives 1,828 to General Administration of Customs of China; "
    "China Daily gives 1,828 to all participating countries"
)
DEMETER_HINT = (
    "Global Times gives 232 to General Administration of Customs of China; "
    "China Daily gives 232 to all participating countries"
)
SEIZURES = "thunderball-2019-seizures-china"
CASES_ALL = "thunderball-2019-cases-all-countries"
GT_ARTICLE = "global-times-2019-11-26-china-will-apply-5g-technology"


def value(amount, precision, high=None):
    return Value(Decimal(amount), None if high is None else Decimal(high), Decimal(precision))


# The rule.


@pytest.mark.parametrize(
    "one, other, rule",
    [
        pytest.param(value(1828, 1), value("1828.000", 1), SAME, id="the same amount"),
        pytest.param(value(3000, 1000, 4000), value(3000, 1000, 4000), SAME, id="the same range"),
        pytest.param(value(4585000, 1000), value(4584700, 100), ROUNDED, id="4,585 t and 4,584.7 t"),
        pytest.param(value(1500, 100), value(1450, 10), ROUNDED, id="a round number and one inside its rounding"),
        pytest.param(value(4585000, 1000), value(4583800, 100), None, id="just outside the rounding"),
        pytest.param(value(4585, 1), value(4595, 1), None, id="rounded values far apart"),
        pytest.param(value(3000, 1000, 4000), value(7000, 1000), None, id="a range and a value beyond it"),
    ],
)
def test_two_values_agree_exactly_once_rounded_or_not_at_all(one, other, rule):
    assert agreement(one, other) == rule
    assert agreement(other, one) == rule


def test_only_measures_declared_comparable_compare_and_they_share_a_dimension():
    assert Measure.SEIZURES in comparison_group(Measure.CASES)
    assert Measure.PARTICIPATING_COUNTRIES not in comparison_group(Measure.ARRESTS)
    assert comparison_group(Measure.WEIGHT_SEIZED) == {Measure.WEIGHT_SEIZED}
    for group in COMPARABLE_MEASURES:
        assert len({MEASURE_DIMENSION[measure] for measure in group}) == 1, group


# The rule on the seed archive, through the models' saves.


def hints(slug):
    return sorted(Figure.objects.get(slug=slug).possible_misattributions.values_list("slug", flat=True))


def add_claim(outlet, body, measure, organisation, quote, amount, unit="count"):
    """A published article of `outlet` and a claim of a new figure of Thunderball."""
    figure = Figure.objects.create(
        slug=f"test-{measure}-{organisation}",
        title=f"Test {measure} of {organisation}",
        measure=measure,
        organisation=Organisation.objects.get(slug=organisation),
        operation=Operation.objects.get(slug="thunderball-2019"),
    )
    article = Article.objects.create(
        outlet=Outlet.objects.get(slug=outlet), slug=f"test-{figure.slug}", title="Test", body=body, status="published"
    )
    Claim.objects.create(
        article=article, figure=figure, quote=quote, value=Decimal(amount), unit=unit, status="published"
    )
    return figure


def test_109_arrests_no_longer_meet_109_participating_countries(seed):
    arrests = add_claim("global-times", "Police made 109 arrests.", "arrests", "gacc", "made 109 arrests", 109)
    assert Figure.objects.get(slug="thunderball-2019-participating-countries").claims.filter(value=109).exists()
    assert hints(arrests.slug) == []


def test_a_near_value_given_to_another_actor_raises_a_hint_worded_once_rounded(client, seed):
    near = add_claim(
        "wco-newsroom",
        "In all, participants seized 1,828.4 tonnes.",
        "weight_seized",
        "all-participating-countries",
        "participants seized 1,828.4 tonnes",
        "1828.4",
        unit="t",
    )
    weight = Figure.objects.create(
        slug="test-weight-gacc",
        title="Test weight of China",
        measure="weight_seized",
        organisation=Organisation.objects.get(slug="gacc"),
        operation=Operation.objects.get(slug="thunderball-2019"),
    )
    article = Article.objects.create(
        outlet=Outlet.objects.get(slug="global-times"),
        slug="test-china-weight",
        title="Test",
        body="China seized 1,828 tons.",
        status="published",
    )
    Claim.objects.create(
        article=article, figure=weight, quote="China seized 1,828 tons", value=1828, unit="t", status="published"
    )
    assert hints(near.slug) == [weight.slug]
    page = visible(client.get(weight.get_absolute_url()))
    assert (
        "Possible misattribution , the same value once rounded : Global Times gives 1,828 tonnes to General "
        "Administration of Customs of China; WCO newsroom gives 1,828.4 tonnes to all participating countries."
    ) in page


# The hint in words, on every page that shows a figure.


def test_the_figure_page_names_the_value_each_outlet_and_the_actor_each_gives_it_to(client, seed):
    response = client.get(f"/figures/{SEIZURES}/")
    assert f"the same value : {THUNDERBALL_HINT}." in visible(response)
    html = response.content.decode()
    assert 'href="/methodology/#misattribution-same"' in html
    assert f'href="/figures/{CASES_ALL}/"' in html


def test_the_home_page_lists_each_hint_once_and_links_every_hinted_figure(client, seed):
    response = client.get("/")
    page = visible(response)
    assert page.count(DEMETER_HINT.split("; ")[1]) == 1  # each pair once, from either side
    assert "Global Times gives 1,828 to General Administration of Customs of China" in page
    assert "All 4 figures with a possible misattribution" in page
    assert 'href="/figures/?misattributed=yes"' in response.content.decode()


def test_each_operation_page_lists_its_own_pairs(client, seed):
    thunderball = visible(client.get("/operations/thunderball-2019/"))
    assert THUNDERBALL_HINT.split("; ")[0] in thunderball
    assert "gives 232" not in thunderball
    demeter = visible(client.get("/operations/demeter-v/"))
    assert "gives 232 to all participating countries" in demeter
    assert "gives 1,828" not in demeter


def test_the_claims_list_and_the_article_page_show_the_hint_of_a_claims_figure(client, seed):
    claims = client.get("/claims/?figure=" + SEIZURES)
    assert THUNDERBALL_HINT in visible(claims)
    unhinted = visible(client.get("/claims/?figure=thunderball-2019-participating-countries"))
    assert "Possible misattribution ," not in unhinted
    article = client.get(f"/articles/{GT_ARTICLE}/")
    page = visible(article)
    assert THUNDERBALL_HINT in page and DEMETER_HINT in page
    assert 'href="#misattributions"' in article.content.decode()


def test_a_hint_never_renders_a_name_as_markup(client, seed):
    Organisation.objects.filter(slug="gacc").update(name="<b>China</b> customs")
    html = client.get(f"/figures/{SEIZURES}/").content.decode()
    assert "gives 1,828 to &lt;b&gt;China&lt;/b&gt; customs" in html
    assert "<b>China</b>" not in html


# Filters and facets.


def rows(client, url, attribute):
    return re.findall(rf'<tr {attribute}="([^"]+)"', client.get(url).content.decode())


def facet(client, url):
    """The misattribution facet's options as {value: count}, from the list's context."""
    response = client.get(url)
    (found,) = [facet for facet in response.context["facets"] if facet.name == "misattributed"]
    return {option.value: option.count for option in found.options}


def test_the_figure_list_filters_and_counts_figures_by_hint(client, seed):
    hinted = sorted(Figure.objects.filter(possible_misattributions__isnull=False).values_list("slug", flat=True))
    assert sorted(rows(client, "/figures/?misattributed=yes", "data-slug")) == hinted
    unhinted = rows(client, "/figures/?misattributed=no", "data-slug")
    assert unhinted and not set(unhinted) & set(hinted)
    assert facet(client, "/figures/") == {"yes": len(hinted), "no": len(unhinted)}
    assert facet(client, "/figures/?operation=demeter-v") == {"yes": 2, "no": 2}


def test_the_claim_list_filters_and_counts_claims_by_their_figures_hint(client, seed):
    hinted = Claim.objects.published().filter(figure__possible_misattributions__isnull=False).distinct()
    ids = sorted(str(pk) for pk in hinted.values_list("pk", flat=True))
    assert sorted(rows(client, "/claims/?misattributed=yes", "data-id")) == ids
    total = Claim.objects.published().count()
    assert facet(client, "/claims/") == {"yes": len(ids), "no": total - len(ids)}


@pytest.mark.parametrize("url", ["/figures/?misattributed=maybe", "/claims.csv?misattributed=1"])
def test_it_refuses_a_misattribution_filter_that_is_neither_yes_nor_no(client, seed, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "misattributed" in response.content.decode()


def test_the_methodology_page_states_the_rule_as_the_code_applies_it(client, seed):
    response = client.get("/methodology/")
    html, page = response.content.decode(), visible(response)
    assert 'id="misattribution-same"' in html and 'id="misattribution-rounded"' in html
    assert "cases and seizures; suspects identified and arrests" in page
    assert "1,828 and 1,828: the same value" in page
    assert "4,585 tonnes and 4,584.7 tonnes: the same value once rounded" in page
    assert "4,585 tonnes and 4,595 tonnes: no hint" in page


# Downloads.


def test_the_claim_downloads_say_which_figures_a_claims_figure_is_linked_to(client, seed):
    response = client.get(f"/claims.csv?figure={SEIZURES}")
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[:2]
    assert row[header.index("figure_possible_misattributions")] == CASES_ALL
    unhinted = json.loads(
        b"".join(client.get("/claims.json?figure=thunderball-2019-participating-countries").streaming_content)
    )
    assert unhinted["results"] and all(
        claim["figure"]["possible_misattributions"] == [] for claim in unhinted["results"]
    )
    hinted = json.loads(b"".join(client.get(f"/claims.json?figure={SEIZURES}").streaming_content))
    assert [claim["figure"]["possible_misattributions"] for claim in hinted["results"]] == [[CASES_ALL]]


def test_the_figure_downloads_give_each_figures_linked_figures(client, seed):
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/figures.csv").streaming_content).decode())))
    linked = {row["slug"]: row["possible_misattributions"] for row in rows}
    assert linked[SEIZURES] == CASES_ALL
    assert linked["thunderball-2019-participating-countries"] == ""
