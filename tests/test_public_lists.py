"""The figures and claims lists: filters, facet counts, search, sorting, pages, and exports
that hold exactly the HTML list's rows."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.db.models import Q

from archive.filters import FACETS, ArticleFilter, ClaimFilter, FigureFilter, PublicFilterSet, facets, matching
from archive.models import Article, Claim, Figure, Outlet

from . import public_data as make


def html_of(response):
    return response.content.decode()


def streamed(response):
    return b"".join(response.streaming_content).decode("utf-8")


def figure_rows(client, query=""):
    response = client.get(f"/figures/{query}")
    assert response.status_code == 200
    return re.findall(r'<tr data-slug="([^"]+)">', html_of(response))


def claim_rows(client, query=""):
    response = client.get(f"/claims/{query}")
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr data-id="(\d+)">', html_of(response))]


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(streamed(response))))


def json_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(streamed(response))
    if "page=" not in url:
        assert data["count"] == len(data["results"])
    return data["results"]


def facet(response, name):
    """{option value: count} of one facet's list of links."""
    html = html_of(response)
    links = re.search(rf'<ul data-facet="{name}">(.*?)</ul>', html, re.S).group(1)
    found = re.findall(r'data-value="([^"]+)">[^<]*<span class="count">([\d,]+)</span>', links)
    return {value: int(count.replace(",", "")) for value, count in found}


QUERIES = [
    "",
    "?status=disputed",
    "?operation=demeter-v",
    "?organisation=all-participating-countries",
    "?measure=weight_seized&sort=title",
    "?outlet=china-daily&sort=sources",
    "?q=earth+goddess",
    "?q=ivory&sort=operation",
    "?status=single&outlet=global-times&operation=thunderball-2019",
]

CLAIM_QUERIES = [
    "",
    "?status=disputed",
    "?outlet=global-times&sort=value",
    "?operation=demeter-v&sort=newest",
    "?q=Sun+Zhijie",
    "?figure=demeter-v-waste-seized-china-customs",
    "?measure=cases&sort=outlet",
    "?organisation=gacc&sort=oldest",
]


class TestFigureFilters:
    def test_it_filters_by_status(self, client, seed):
        assert set(figure_rows(client, "?status=disputed")) == {
            "demeter-v-cases-china-customs",
            "demeter-v-waste-seized-china-customs",
        }

    def test_it_filters_by_operation_organisation_and_measure(self, client, seed):
        assert set(figure_rows(client, "?operation=demeter-v")) == set(
            Figure.objects.filter(operation__slug="demeter-v").values_list("slug", flat=True)
        )
        assert set(figure_rows(client, "?organisation=all-participating-countries&measure=cases")) == {
            "thunderball-2019-cases-all-countries",
            "demeter-v-cases-all-countries",
        }

    def test_it_filters_by_the_outlet_of_any_source(self, client, seed):
        expected = set(Claim.objects.filter(article__outlet__slug="china-daily").values_list("figure__slug", flat=True))
        assert set(figure_rows(client, "?outlet=china-daily")) == expected
        assert len(expected) == 11

    def test_it_searches_titles_and_the_names_sources_give_an_operation(self, client, seed):
        assert set(figure_rows(client, "?q=earth+goddess")) == set(
            Figure.objects.filter(operation__slug="demeter-v").values_list("slug", flat=True)
        )
        assert set(figure_rows(client, "?q=ivory")) == {
            "thunderball-2019-ivory-pieces-china",
            "thunderball-2019-ivory-products-weight-china",
        }
        assert figure_rows(client, "?q=nothing+like+this") == []

    def test_it_sorts_most_disputed_first_by_default(self, client, seed):
        rows = figure_rows(client)
        statuses = list(Figure.objects.in_bulk(rows, field_name="slug")[slug].status for slug in rows)
        assert statuses[:3] == ["disputed", "disputed", "minor"]
        assert statuses.index("consistent") < statuses.index("single")

    def test_it_sorts_by_title_and_by_number_of_sources(self, client, seed):
        titles = list(Figure.objects.order_by("title").values_list("slug", flat=True))
        assert figure_rows(client, "?sort=title") == titles
        by_sources = figure_rows(client, "?sort=sources")
        multi_source = {"consistent", "minor", "disputed"}
        statuses = [Figure.objects.get(slug=slug).status for slug in by_sources]
        assert all(status in multi_source for status in statuses[:5])
        assert all(status == "single" for status in statuses[5:])

    def test_it_counts_each_facet_option_over_the_other_filters(self, client, seed):
        response = client.get("/figures/?operation=demeter-v")
        assert facet(response, "status") == {"disputed": 2, "single": 2}
        # The operation facet ignores its own filter, so readers see what switching would give.
        assert facet(response, "operation") == {"demeter-v": 4, "thunderball-2019": 9}
        assert facet(response, "outlet") == {"china-daily": 3, "global-times": 3}
        assert facet(response, "measure") == {"cases": 3, "weight_seized": 1}
        assert facet(response, "organisation") == {"all-participating-countries": 1, "gacc": 3}

    def test_it_marks_the_chosen_option_even_when_nothing_matches(self, client, seed):
        html = html_of(client.get("/figures/?operation=no-such-operation"))
        assert (
            '<a class="selected" aria-current="true" href="/figures/" data-value="no-such-operation">'
            'no-such-operation <span class="count">0</span>'
        ) in html
        assert "No figure matches these filters." in html

    def test_it_shows_the_misattribution_hint_in_the_list(self, client, seed):
        html = html_of(client.get("/figures/?operation=thunderball-2019&measure=seizures"))
        row = html[html.index('data-slug="thunderball-2019-seizures-china"') :]
        row = row[: row.index("</tr>")]
        assert "Possible misattribution" in row
        assert 'href="/figures/thunderball-2019-cases-all-countries/"' in row

    def test_it_pages_through_many_figures(self, client, seed):
        for index in range(30):
            make.sourced_figure([index + 1], title=f"Paged figure {index:02}")
        first = figure_rows(client, "?q=paged&sort=title")
        second = figure_rows(client, "?q=paged&sort=title&page=2")
        assert len(first) == 25 and len(second) == 5
        assert first + second == [f"paged-figure-{index:02}" for index in range(30)]
        assert client.get("/figures/?q=paged&page=3").status_code == 404


class TestBadFilters:
    @pytest.mark.parametrize("url", ["/figures/", "/claims/", "/articles/"])
    def test_it_names_the_filter_it_cannot_apply(self, client, seed, url):
        response = client.get(f"{url}?sort=sideways")
        assert response.status_code == 400
        assert "“sort”: Select a valid choice. sideways is not one of the available choices." in html_of(response)

    @pytest.mark.parametrize("url", ["/figures.csv", "/claims.csv"])
    def test_it_refuses_a_csv_export_with_an_unknown_status_in_plain_text(self, client, seed, url):
        response = client.get(f"{url}?status=unsure")
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert "“status”: Select a valid choice. unsure is not one of the available choices." in html_of(response)

    @pytest.mark.parametrize("url", ["/figures.json", "/claims.json", "/articles.json", "/operations.json"])
    def test_it_refuses_a_json_export_with_a_json_error_naming_the_parameter(self, client, seed, url):
        response = client.get(f"{url}?sort=sideways")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "status": 400,
            "error": "“sort”: Select a valid choice. sideways is not one of the available choices.",
            "parameters": ["sort"],
        }


class TestExportsMatchTheList:
    @pytest.mark.parametrize("query", QUERIES)
    def test_it_exports_the_figures_list_rows_in_order(self, client, seed, query):
        rows = figure_rows(client, query)
        assert [row["slug"] for row in csv_rows(client, f"/figures.csv{query}")] == rows
        assert [row["slug"] for row in json_rows(client, f"/figures.json{query}")] == rows

    @pytest.mark.parametrize("query", CLAIM_QUERIES)
    def test_it_exports_the_claims_list_rows_in_order(self, client, seed, query):
        rows = claim_rows(client, query)
        assert rows
        assert [int(row["id"]) for row in csv_rows(client, f"/claims.csv{query}")] == rows
        assert [row["id"] for row in json_rows(client, f"/claims.json{query}")] == rows

    def test_it_exports_one_page_when_asked_for_a_page(self, client, seed):
        for index in range(30):
            make.sourced_figure([index + 1], title=f"Paged figure {index:02}")
        page_two = figure_rows(client, "?q=paged&page=2")
        assert [row["slug"] for row in csv_rows(client, "/figures.csv?q=paged&page=2")] == page_two
        assert [row["slug"] for row in json_rows(client, "/figures.json?q=paged&page=2")] == page_two
        assert len(csv_rows(client, "/figures.csv?q=paged")) == 30

    def test_it_offers_the_exports_of_the_filtered_list(self, client, seed):
        html = html_of(client.get("/figures/?status=disputed&page=1"))
        assert 'href="/figures.csv?status=disputed"' in html
        assert 'href="/figures.json?status=disputed"' in html


class TestExportContents:
    def test_it_gives_each_claim_its_value_unit_bound_quote_article_and_figure(self, client, seed):
        claim = Claim.objects.get(
            figure__slug="demeter-v-waste-seized-china-customs", article__outlet__slug="china-daily"
        )
        [row] = json_rows(client, "/claims.json?figure=demeter-v-waste-seized-china-customs&outlet=china-daily")
        assert row == {
            "id": claim.pk,
            "value": 1500,
            "value_high": None,
            "unit": "t",
            "bound": "about",
            "value_printed": "roughly 1,500",
            "normalised_value": 1500000,
            "normalised_high": None,
            "normalised_unit": "kg",
            "quote": "of which 85 cases involved China customs, which seized roughly 1,500 tons of waste.",
            "quote_url": f"http://testserver{claim.article.get_absolute_url()}#claim-{claim.pk}",
            "speaker": None,
            "speaker_title": "",
            "origin": None,
            "origin_words": "",
            "stated_on": "2019-11-26",
            "article": {
                "slug": "china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling",
                "title": "Customs to boost efforts to foil smuggling",
                "url": "https://www.chinadaily.com.cn/a/201911/27/WS5dddcbb3a310cf3e3557a39b.html",
                "archive_url": f"http://testserver{claim.article.get_absolute_url()}",
                "outlet": "China Daily",
                "published_on": "2019-11-27",
            },
            "figure": {
                "slug": "demeter-v-waste-seized-china-customs",
                "title": "Waste seized by China customs in Operation Demeter V, September 2019",
                "status": "disputed",
                "url": "http://testserver/figures/demeter-v-waste-seized-china-customs/",
                "possible_misattributions": [],
            },
        }

    def test_it_gives_each_figure_its_status_operation_and_claims(self, client, seed):
        [row] = json_rows(client, "/figures.json?q=Waste+seized+by+China+customs")
        assert row["slug"] == "demeter-v-waste-seized-china-customs"
        assert row["status"] == "disputed"
        assert row["operation"] == {"slug": "demeter-v", "name": "Operation Demeter V"}
        assert [(claim["value"], claim["article"]["outlet"]) for claim in row["claims"]] == [
            (4585, "Global Times"),
            (1500, "China Daily"),
        ]
        assert [row["possible_misattributions"] for row in json_rows(client, "/figures.json?q=involving")] == [
            ["demeter-v-cases-all-countries"]
        ]

    def test_it_writes_utf8_csv_with_a_header_and_every_digit(self, client, seed):
        response = client.get("/claims.csv?figure=thunderball-2019-weight-china-customs")
        content = b"".join(response.streaming_content)
        lines = content.decode("utf-8").splitlines()
        assert lines[0].startswith("id,figure,figure_title,figure_status,value,value_high,unit,bound,value_printed")
        [row] = csv.DictReader(io.StringIO(content.decode("utf-8")))
        assert (row["value"], row["unit"], row["normalised_value"], row["normalised_unit"]) == (
            "1.64",
            "t",
            "1640",
            "kg",
        )
        assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'

    def test_it_keeps_non_ascii_text_and_defuses_spreadsheet_formulas(self, client, seed):
        source = Outlet.objects.create(name='=HYPERLINK("x") Café Press')
        body = "«Quoted» — officials seized 3,210 tonnes."
        figure = make.figure(title="Résumé of seizures")
        make.claim(make.article(body, source=source), figure, "officials seized 3,210 tonnes", 3210)
        [row] = csv_rows(client, f"/claims.csv?figure={figure.slug}")
        assert row["figure_title"] == "Résumé of seizures"
        assert row["outlet"] == '\'=HYPERLINK("x") Café Press'
        [data] = json_rows(client, f"/claims.json?figure={figure.slug}")
        assert data["article"]["outlet"] == '=HYPERLINK("x") Café Press'


class TestAddresses:
    def test_it_drops_the_empty_fields_a_filter_form_sends(self, client, seed):
        response = client.get("/figures/?q=&operation=&status=disputed&outlet=&sort=status")
        assert response.status_code == 302
        assert response["Location"] == "/figures/?status=disputed&sort=status"
        assert client.get("/claims.csv?q=&outlet=")["Location"] == "/claims.csv"

    def test_it_gives_a_later_page_its_own_canonical_address_and_a_filtered_view_the_list_s(self, client, seed):
        for index in range(30):
            make.sourced_figure([index + 1])
        html = html_of(client.get("/figures/?page=2"))
        assert '<link rel="canonical" href="http://testserver/figures/?page=2">' in html
        html = html_of(client.get("/figures/?page=2&status=single"))
        assert '<link rel="canonical" href="http://testserver/figures/">' in html


# The trigram indexes of migration 0006: (model, column) each serves. Migration 0007 dropped the one
# on value_printed, whose searches the quote's serves (test_search_printed_values.py).
SEARCH_INDEXES = {
    "claim_quote_trgm": (Claim, "quote"),
    "figure_title_trgm": (Figure, "title"),
    "figure_subject_trgm": (Figure, "subject"),
    "figure_notes_trgm": (Figure, "notes"),
    "article_title_trgm": (Article, "title"),
}

FILTERS_ON_FIGURES = [
    {},
    {"misattributed": "yes"},
    {"misattributed": "no", "operation": "thunderball-2019"},
    {"measure": "cases"},
    {"status": "disputed"},
    {"operation": "demeter-v"},
    {"measure": "cases", "organisation": "gacc"},
    {"figure": "demeter-v-waste-seized-china-customs"},
    {"status": "single", "operation": "thunderball-2019"},
]


class TestClaimCountsFromFigures:
    """Claims chosen by their figure alone are counted from the figures' stored counts; the
    result must be what counting the claims gives, drafts and unpublished articles left out."""

    @pytest.fixture
    def archive_with_drafts(self, seed):
        claim = Claim.objects.filter(figure__slug="demeter-v-waste-seized-china-customs").first()
        claim.status = "draft"
        claim.save()
        article = Article.objects.get(slug__startswith="china-daily")
        article.status = "draft"
        article.save()
        # One source giving a figure two values: its claims outnumber its sources.
        twice = make.figure(title="Given twice by one article", measure="cases")
        body = "Customs cracked 12 cases in May. By June customs cracked 15 cases."
        source = make.article(body)
        make.claim(source, twice, "Customs cracked 12 cases", 12, unit="count")
        make.claim(source, twice, "customs cracked 15 cases", 15, unit="count")
        twice.refresh_from_db()
        assert (twice.source_count, twice.published_claim_count) == (1, 2)

    @pytest.mark.parametrize("data", FILTERS_ON_FIGURES)
    def test_the_count_and_facets_equal_counting_the_claims(self, archive_with_drafts, data):
        filterset = ClaimFilter(data, queryset=ClaimFilter.public())
        assert filterset.is_valid()
        assert filterset.figures_chosen() is not None

        assert filterset.count() == filterset.qs.count()
        for _, _, fields, count_through in FACETS[ClaimFilter]:
            from_figures = filterset.facet_counts(fields, count_through)
            one_by_one = PublicFilterSet.facet_counts(filterset, fields, count_through)
            assert sorted(from_figures, key=repr) == sorted(one_by_one, key=repr)

    @pytest.mark.parametrize("data", [{"q": "ivory"}, {"outlet": "global-times"}, {"article": "x", "status": "minor"}])
    def test_claims_chosen_by_their_own_fields_are_counted_one_by_one(self, seed, data):
        filterset = ClaimFilter(data, queryset=ClaimFilter.public())
        assert filterset.is_valid()
        assert filterset.figures_chosen() is None
        assert filterset.count() == filterset.qs.count()


CLAIM_SEARCHES = ["ivory", "earth goddess", "Sun Zhijie", "customs", "Global Times", "demeter 2019", "tons", "nothing"]
FIGURE_SEARCHES = ["ivory", "earth goddess", "GACC", "customs", "demeter 2019", "GACC ivory", "cases 2019", "nothing"]


class TestSearchMatchesAcrossTables:
    """Each table is searched by its own subquery (for its trigram index on PostgreSQL); the
    rows found are those of an OR of `icontains` across the joined tables."""

    @pytest.mark.parametrize("words", CLAIM_SEARCHES)
    def test_the_claims_search(self, seed, words):
        expected = ClaimFilter.public()
        for term in words.split():
            expected = expected.filter(
                Q(quote__icontains=term)
                | Q(figure__title__icontains=term)
                | Q(article__title__icontains=term)
                | Q(article__outlet__name__icontains=term)
                | Q(speaker__name__icontains=term)
            )
        found = ClaimFilter({"q": words}, queryset=ClaimFilter.public()).qs
        assert sorted(found.values_list("pk", flat=True)) == sorted(expected.distinct().values_list("pk", flat=True))
        assert found.exists() == (words != "nothing")

    @pytest.mark.parametrize("words", FIGURE_SEARCHES)
    def test_the_figures_search(self, seed, words):
        expected = FigureFilter.public()
        for term in words.split():
            expected = expected.filter(
                Q(title__icontains=term)
                | Q(subject__icontains=term)
                | Q(notes__icontains=term)
                | Q(organisation__name__icontains=term)
                | Q(organisation__short_name__icontains=term)
                | Q(operation__name__icontains=term)
                | Q(operation__aliases__name__icontains=term)
            )
        found = FigureFilter({"q": words}, queryset=FigureFilter.public()).qs
        assert sorted(found.values_list("pk", flat=True)) == sorted(expected.distinct().values_list("pk", flat=True))
        assert found.exists() == (words != "nothing")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("index, model, field", [(name, *spec) for name, spec in SEARCH_INDEXES.items()])
def test_each_searched_column_s_subquery_can_use_its_trigram_index(db, index, model, field):
    """The index's expression must be the one Django writes for `icontains`, or it is never used."""
    with connection.cursor() as cursor:
        # A test table is tiny: forbid reading it whole so the planner shows what it can use.
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
    assert index in matching(model, "ivory", field).explain()


FACETED = [
    (FigureFilter, {}),
    (FigureFilter, {"status": "disputed", "outlet": "global-times"}),
    (FigureFilter, {"operation": "demeter-v", "misattributed": "no"}),
    (ClaimFilter, {}),
    (ClaimFilter, {"measure": "cases", "organisation": "gacc"}),
    (ClaimFilter, {"outlet": "china-daily", "misattributed": "yes"}),
    (ArticleFilter, {}),
    (ArticleFilter, {"outlet": "global-times"}),
]


@pytest.mark.parametrize(("filterset_class", "data"), FACETED)
def test_each_facet_option_counts_the_rows_choosing_it_would_show(seed, filterset_class, data):
    """However a facet is counted (grouped by a related record's key, from the figures' stored
    counts), each option's count is the number of rows the list shows once it is chosen."""
    claim = Claim.objects.filter(figure__slug="demeter-v-waste-seized-china-customs").first()
    claim.status = "draft"
    claim.save()
    filterset = filterset_class(data, queryset=filterset_class.public())
    assert filterset.is_valid()
    for found in facets(filterset):
        counts = {option.value: option.count for option in found.options if option.count}
        others = {name: value for name, value in data.items() if name != found.name}
        chosen = {}
        for value in counts:
            rows = filterset_class({**others, found.name: value}, queryset=filterset_class.public())
            assert rows.is_valid()
            chosen[value] = rows.qs.count()
        assert counts == chosen, found.name


@pytest.mark.parametrize(
    ("filterset_class", "data"), [*FACETED, (ClaimFilter, {"q": "ivory"}), (FigureFilter, {"q": "china"})]
)
def test_facets_counted_by_one_query_equal_each_counted_by_its_own(seed, filterset_class, data):
    """The facets over the same rows share one query: each one's counts must be its own query's."""
    filterset = filterset_class(data, queryset=filterset_class.public())
    assert filterset.is_valid()
    facet_fields = [fields for _, _, fields, count_through in FACETS[filterset_class] if not count_through]
    together = filterset.facets_counted(facet_fields)
    alone = [filterset.facet_counts(fields) for fields in facet_fields]
    assert [sorted(counts, key=repr) for counts in together] == [sorted(counts, key=repr) for counts in alone]
    assert any(len(counts) > 1 for counts in together) or filterset_class is ArticleFilter


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's")
@pytest.mark.parametrize(("sort", "index"), [("", "figure_status_rank_idx"), ("sources", "figure_sources_idx")])
def test_a_page_of_the_figures_list_is_read_from_its_sort_s_index(db, sort, index):
    """The index's expression must be the one the sort writes, or every public figure is sorted."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    filterset = FigureFilter({"sort": sort} if sort else {}, queryset=FigureFilter.public())
    assert filterset.is_valid()
    assert index in filterset.qs[:25].explain()
    assert index in filterset.qs.reverse()[:25].explain()
