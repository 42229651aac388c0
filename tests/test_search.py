"""Search that reads numbers: on the figures, claims and articles lists, and on the search page
that searches figures, claims, articles and operations at once."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.filters import CLAIM_READING, ClaimFilter, FigureFilter, claim_reading, searched_numbers
from archive.models import Claim
from archive.status import Reading, value_range
from archive.vocabulary import BOUND, INFINITY, Bound

from . import public_data as make
from .test_public_queries import PAGES, count_queries, grow


def figure_rows(client, query):
    response = client.get("/figures/", {"q": query})
    assert response.status_code == 200
    return set(re.findall(r'<tr data-slug="([^"]+)">', response.content.decode()))


def claim_values(client, query):
    response = client.get("/claims/", {"q": query})
    assert response.status_code == 200
    ids = [int(pk) for pk in re.findall(r'<tr data-id="(\d+)">', response.content.decode())]
    return {claim.value_printed for claim in Claim.objects.filter(pk__in=ids)}


THUNDERBALL_1828 = {"thunderball-2019-cases-all-countries", "thunderball-2019-seizures-china"}
DEMETER_WASTE = "demeter-v-waste-seized-china-customs"


class TestTheSeedsNumbers:
    @pytest.mark.parametrize("query", ["1828", "1,828"])
    def test_it_finds_both_figures_that_give_1828_and_their_claims(self, client, seed, query):
        assert figure_rows(client, query) == THUNDERBALL_1828
        assert "1,828" in claim_values(client, query)

    @pytest.mark.parametrize("query", ["4585", "4,585", "4585 t", "4,585 tons", "4585 tonnes"])
    def test_it_finds_the_demeter_waste_figure_by_the_global_times_value(self, client, seed, query):
        assert figure_rows(client, query) == {DEMETER_WASTE}
        assert "4,585" in claim_values(client, query)

    def test_a_typed_unit_compares_amounts_so_4585_kg_is_not_4585_tonnes(self, client, seed):
        assert figure_rows(client, "4585 kg") == set()
        assert figure_rows(client, "4585000 kg") == {DEMETER_WASTE}
        assert figure_rows(client, "4,585 m3") == set()

    @pytest.mark.parametrize("query", ["about 1,500", "1500", "1,500 t", "roughly 1,500 tons", "nearly 1,600"])
    def test_it_finds_the_china_daily_roughly_1500(self, client, seed, query):
        assert figure_rows(client, query) == {DEMETER_WASTE}
        assert claim_values(client, query) == {"roughly 1,500"}

    def test_the_words_beside_a_number_narrow_it(self, client, seed):
        assert figure_rows(client, "china 1828") == {"thunderball-2019-seizures-china"}
        assert figure_rows(client, "1,828 seizures") == {"thunderball-2019-seizures-china"}

    def test_the_text_search_still_finds_what_it_found(self, client, seed):
        assert "demeter-v-waste-seized-china-customs" in figure_rows(client, "demeter")
        assert figure_rows(client, "nothing like this") == set()

    def test_a_year_is_searched_as_text_not_as_a_value(self):
        assert searched_numbers("demeter 2019") == ([], ["demeter", "2019"])

    def test_a_decrease_is_found_by_its_size(self, client, seed):
        assert figure_rows(client, "23%") == {"china-customs-solid-waste-cases-yoy-2019"}

    def test_the_exports_hold_the_same_rows(self, client, seed):
        response = client.get("/figures.json", {"q": "1,828"})
        data = b"".join(response.streaming_content).decode()
        assert set(re.findall(r'"slug": "(thunderball[^"]+)", "title"', data)) == THUNDERBALL_1828


@pytest.fixture
def around_1500(db):
    """A figure per printed value, each from its own article: (figure slug, quote, value, bound)."""
    made = {}
    for printed, value, bound in [
        ("1,340", 1340, "exact"),
        ("1,350", 1350, "exact"),
        ("1,500", 1500, "exact"),
        ("1,501", 1501, "exact"),
        ("1,650", 1650, "exact"),
        ("1,700", 1700, "exact"),
        ("about 1,800", 1800, "about"),
        ("more than 1,600", 1600, "more_than"),
        ("3,000 to 4,000", 3000, "exact"),
    ]:
        figure = make.figure(title=f"Seized {printed}")
        quote = f"Customs seized {printed} tonnes of waste"
        high = 4000 if printed.startswith("3,000") else None
        make.claim(make.article(f"Intro. {quote}. Outro."), figure, quote, value, bound=bound, value_high=high)
        made[printed] = figure.slug
    return made


def found(query, figures):
    filterset = FigureFilter({"q": query}, queryset=FigureFilter.public())
    assert filterset.is_valid()
    slugs = set(filterset.qs.values_list("slug", flat=True))
    return {printed for printed, slug in figures.items() if slug in slugs}


class TestPrecision:
    def test_a_bare_number_finds_the_claims_that_print_it(self, around_1500):
        assert found("1,500", around_1500) == {"1,500"}
        assert found("1500", around_1500) == {"1,500"}
        assert found("3,500", around_1500) == {"3,000 to 4,000"}

    def test_about_finds_every_reading_that_overlaps_ten_percent_either_way(self, around_1500):
        assert found("about 1,500", around_1500) == {
            "1,350",
            "1,500",
            "1,501",
            "1,650",
            "about 1,800",  # read as 1,620 to 1,980
            "more than 1,600",
        }

    def test_more_than_finds_every_reading_above(self, around_1500):
        assert found("more than 1,690", around_1500) == {"1,700", "about 1,800", "more than 1,600", "3,000 to 4,000"}

    def test_a_range_finds_the_readings_it_overlaps(self, around_1500):
        assert found("between 1,345 and 1,400", around_1500) == {"1,350"}


SAMPLES = [(Decimal(1500), None), (Decimal(3000), Decimal(4000)), (Decimal(-23), None), (Decimal(-30), Decimal(-20))]


def test_the_claim_reading_in_sql_is_the_status_rules_for_every_bound(db):
    assert set(CLAIM_READING) == {term.code for term in BOUND.values()} == set(Bound.values)
    figure = make.figure(measure="year_on_year_change")
    article = make.article("Intro. Cases decreased by 23 percent. Outro.")
    claim = make.claim(article, figure, "Cases decreased by 23 percent", -23, unit="percent")
    low, high = claim_reading("value", "value_high")
    for bound in Bound.values:
        for value, top in SAMPLES:
            Claim.objects.filter(pk=claim.pk).update(bound=bound, value=value, value_high=top)
            row = Claim.objects.filter(pk=claim.pk).annotate(low=low, high=high).values("low", "high").get()
            expected = value_range(Reading(1, value, bound, Decimal(0), top))
            assert (row["low"], INFINITY if row["high"] is None else row["high"]) == expected, (bound, value, top)


def test_the_claims_search_finds_any_of_the_numbers_typed(client, seed):
    assert {"1,828", "4,585"} <= claim_values(client, "1828 4585")
    filterset = ClaimFilter({"q": "1828 4585"}, queryset=ClaimFilter.public())
    assert filterset.is_valid()


def test_a_search_that_no_column_can_hold_is_read_as_text(client, seed):
    for query in ["9" * 40, "1e999", "0.0000001", "about", "-", "1,5"]:
        assert client.get("/figures/", {"q": query}).status_code == 200
        assert client.get("/claims/", {"q": query}).status_code == 200
        assert client.get("/search/", {"q": query}).status_code == 200


# Pieces of numbers as readers type them, and as no column can hold them.
NUMBER_PIECES = ["1,828", "4585", " t", " tons", " kg", "about ", "more than ", "up to ", "1.5", " to ", "-", "%"]
NUMBER_PIECES += ["9" * 30, "0.0000001", "1e99", "half", "twenty", "2019", ",", " ", "\u00a0", "<b>"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(NUMBER_PIECES), st.text(max_size=4)), min_size=1, max_size=5).map("".join))
def test_any_search_answers_a_page_and_never_its_markup(client, seed, query):
    for url in ("/search/", "/figures/", "/claims/", "/claims.json"):
        response = client.get(url, {"q": query})
        assert response.status_code in (200, 302, 400), (url, query)
        if response.status_code == 400:
            assert "\x00" in query
        if not response.streaming:
            assert "<b>" not in response.content.decode() or "<b>" not in query


class TestSearchPage:
    def groups(self, client, query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        counts = re.findall(r'<h2 id="search-(\w+)-heading">[^<]*<span class="count">\(([\d,]+)\)', html)
        return {kind: int(count.replace(",", "")) for kind, count in counts}, html

    def test_it_groups_figures_claims_articles_and_operations_with_counts(self, client, seed):
        counts, html = self.groups(client, "1,828")
        assert list(counts) == ["figures", "claims", "articles", "operations"]
        assert counts["figures"] == 2
        assert counts["claims"] == ClaimFilter({"q": "1,828"}, queryset=ClaimFilter.public()).qs.count()
        for slug in THUNDERBALL_1828:
            assert f'data-slug="{slug}"' in html

    def test_each_see_all_link_opens_its_list_with_the_same_search(self, client, seed):
        counts, html = self.groups(client, "china")
        assert f'<a href="/figures/?q=china">See all {counts["figures"]} figures</a>' in html
        assert f'<a href="/claims/?q=china">See all {counts["claims"]} claims</a>' in html
        assert f'<a href="/articles/?q=china">See all {counts["articles"]} articles</a>' in html
        listed = client.get("/figures/?q=china").context["page_obj"].paginator.count
        assert listed == counts["figures"]

    def test_it_finds_an_operation_by_any_name_sources_give_it(self, client, seed):
        counts, html = self.groups(client, "earth goddess")
        assert counts["operations"] == 1
        assert 'href="/operations/demeter-v/"' in html

    def test_an_empty_search_shows_the_box_alone(self, client, seed):
        response = client.get("/search/")
        assert response.status_code == 200
        assert 'id="search-q"' in response.content.decode()
        assert response.context["groups"] == []

    def test_it_never_renders_a_search_as_markup(self, client, seed):
        response = client.get("/search/", {"q": "<script>alert(1)</script> 1828"})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()

    def test_a_nul_character_is_refused_with_a_page(self, client, seed):
        response = client.get("/search/", {"q": "china\x00"})
        assert response.status_code == 400
        assert "“q”" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/figures/", "/claims/?q=1828", "/articles/", "/operations/", "/search/?q=x"])
def test_every_page_has_the_search_box_in_its_header(client, seed, url):
    html = client.get(url).content.decode()
    header = html.split('<header class="site">')[1].split("</header>")[0]
    assert 'action="/search/"' in header and 'name="q"' in header


# The data version; then for figures, claims and articles: the keys the search finds (their
# number is the count), rows (figures: and their claims; claims: and their figures' linked
# figures); for operations: count, rows, and their aliases when an operation is found.
SEARCH_QUERIES = 1 + 3 + 3 + 2 + 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [("demeter", SEARCH_QUERIES), ("thunderball", SEARCH_QUERIES), ("1,828", SEARCH_QUERIES - 1)],
)
def test_the_search_page_costs_the_same_queries_however_many_rows(
    client, seed, django_assert_num_queries, query, expected
):
    count_queries(client, django_assert_num_queries, f"/search/?q={query}", expected)
    grow()
    cache.clear()
    count_queries(client, django_assert_num_queries, f"/search/?q={query}", expected)


def test_an_empty_search_costs_the_data_version_alone(client, seed, django_assert_num_queries):
    count_queries(client, django_assert_num_queries, "/search/", 1)


@pytest.mark.parametrize("url", ["/figures/?q=1,828", "/claims/?q=about+1,500", "/figures/?q=4585+t&sort=sources"])
def test_a_number_search_costs_the_lists_own_queries(client, seed, django_assert_num_queries, url):
    # The keys the search finds instead of the count: the list's own number of queries.
    expected = PAGES["/figures/"] if url.startswith("/figures/") else PAGES["/claims/"]
    count_queries(client, django_assert_num_queries, url, expected)
    grow()
    cache.clear()
    count_queries(client, django_assert_num_queries, url, expected)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1280, 320])
def test_a_reader_searches_a_number_from_the_header_and_opens_its_list(live_server, seed, chromium, width):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/operations/")
    page.get_by_label("Search the archive").fill("4,585 tons")
    page.get_by_label("Search the archive").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/search/?q=4%2C585+tons")
    figures = page.locator("#search-figures")
    expect(figures.get_by_role("heading", level=2)).to_have_text("Figures (1)")
    expect(figures.get_by_role("link", name="Waste seized by China customs in Operation Demeter V")).to_be_visible()
    wide = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not wide
    figures.get_by_role("link", name="See all 1 figures").click()
    expect(page).to_have_url(f"{live_server.url}/figures/?q=4%2C585%20tons")
    expect(page.locator("table.figures tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Remove the filter Search: 4,585 tons").click()
    expect(page).to_have_url(f"{live_server.url}/figures/")
    wide = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not wide
    context.close()
