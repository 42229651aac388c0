"""CSV and JSON for every list and every detail page: the articles and operations lists under the
list's own filters, and each figure, article and operation with the rows its page shows, built by
the same row builders as the lists, with the licence, readable from any site, at a fixed cost."""

import json

import pytest
from django.core.cache import cache

from archive.models import Article, Claim, Figure, Operation
from archive.views import ArticleList, OperationList
from archive.views.exports import CLAIM_COLUMNS, FIGURE_COLUMNS, LICENCE, LICENCE_LINK

from . import public_data as make
from .test_public_lists import csv_rows, json_rows, streamed
from .test_public_queries import PAGES, count_queries, grow

FIGURE = "demeter-v-waste-seized-china-customs"
ARTICLE = "global-times-2019-11-26-china-will-apply-5g-technology"


def document(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response, json.loads(streamed(response))


class TestListExports:
    @pytest.mark.parametrize("query", ["", "?outlet=china-daily", "?sort=title", "?q=1828", "?sort=oldest&page=1"])
    def test_the_articles_exports_hold_the_lists_rows_in_order(self, client, seed, query):
        shown = [article.slug for article in client.get(f"/articles/{query}").context["article_list"]]
        assert shown
        assert [row["slug"] for row in csv_rows(client, f"/articles.csv{query}")] == shown
        assert [row["slug"] for row in json_rows(client, f"/articles.json{query}")] == shown

    @pytest.mark.parametrize("query", ["", "?q=goddess", "?sort=name", "?page=1"])
    def test_the_operations_exports_hold_the_lists_rows_in_order(self, client, seed, query):
        shown = [operation.slug for operation in client.get(f"/operations/{query}").context["operation_list"]]
        assert shown
        assert [row["slug"] for row in csv_rows(client, f"/operations.csv{query}")] == shown
        assert [row["slug"] for row in json_rows(client, f"/operations.json{query}")] == shown

    def test_an_article_row_gives_its_outlet_date_and_published_claims(self, client, seed):
        article = Article.objects.get(slug=ARTICLE)
        published = Claim.objects.published().filter(article=article).count()
        [row] = [row for row in csv_rows(client, "/articles.csv") if row["slug"] == ARTICLE]
        assert row["outlet"] == "Global Times"
        assert row["published_on"] == "2019-11-26"
        assert row["claim_count"] == str(published)
        assert row["archive_url"] == f"http://testserver/articles/{ARTICLE}/"
        [data] = [row for row in json_rows(client, "/articles.json") if row["slug"] == ARTICLE]
        assert data["claim_count"] == published and data["outlet"] == "Global Times"

    def test_an_operation_row_gives_its_names_focus_dates_and_public_figures(self, client, seed):
        operation = Operation.objects.get(slug="demeter-v")
        figures = Figure.objects.filter(operation=operation, source_count__gt=0).count()
        [row] = [row for row in csv_rows(client, "/operations.csv") if row["slug"] == "demeter-v"]
        assert "Operation Earth Goddess" in row["aliases"].split("; ")
        assert row["focus"] == "solid waste smuggling"
        assert row["figure_count"] == str(figures)
        [data] = [row for row in json_rows(client, "/operations.json") if row["slug"] == "demeter-v"]
        assert "Operation Earth Goddess" in [alias["name"] for alias in data["aliases"]]
        assert data["figure_count"] == figures
        assert data["start_date"] == operation.start_date.isoformat()

    def test_json_counts_every_matching_row_and_links_the_other_pages(self, client, seed, monkeypatch):
        monkeypatch.setattr(OperationList, "paginate_by", 1)
        _, page = document(client, "/operations.json?page=1")
        assert len(page["results"]) == 1
        assert page["count"] == Operation.objects.count() == 2
        assert page["next"] == "http://testserver/operations.json?page=2" and page["previous"] is None

    def test_a_cell_a_spreadsheet_would_run_is_defused(self, client, seed):
        make.operation(name='=HYPERLINK("x") Operation', focus="+1 crime")
        [row] = [row for row in csv_rows(client, "/operations.csv") if "HYPERLINK" in row["name"]]
        assert row["name"] == '\'=HYPERLINK("x") Operation'
        assert row["focus"] == "'+1 crime"

    def test_the_lists_link_their_exports_under_the_same_filters(self, client, seed):
        html = client.get("/articles/?outlet=china-daily").content.decode()
        assert 'href="/articles.csv?outlet=china-daily"' in html
        assert 'href="/articles.json?outlet=china-daily"' in html
        html = client.get("/operations/?q=goddess&page=1").content.decode()
        assert 'href="/operations.csv?q=goddess"' in html


class TestDetailExports:
    def test_a_figure_exports_its_claims_as_the_claims_list_does(self, client, seed):
        assert csv_rows(client, f"/figures/{FIGURE}.csv") == csv_rows(client, f"/claims.csv?figure={FIGURE}&sort=value")
        response = client.get(f"/figures/{FIGURE}.csv")
        assert response["Content-Disposition"] == f'attachment; filename="{FIGURE}.csv"'
        assert streamed(response).splitlines()[0] == ",".join(CLAIM_COLUMNS)

    def test_a_figures_json_is_the_figure_with_its_claims_and_the_licence(self, client, seed):
        _, data = document(client, f"/figures/{FIGURE}.json")
        [listed] = [row for row in json_rows(client, "/figures.json?operation=demeter-v") if row["slug"] == FIGURE]
        assert data == {**listed, "licence": LICENCE}
        assert [claim["value"] for claim in data["claims"]] == [4585, 1500]

    def test_an_article_exports_its_published_claims_in_the_order_of_its_text(self, client, seed):
        article = Article.objects.get(slug=ARTICLE)
        draft = Claim.objects.published().filter(article=article).order_by("quote_start").first()
        Claim.objects.filter(pk=draft.pk).update(status="draft")
        expected = list(
            Claim.objects.published().filter(article=article).order_by("quote_start", "pk").values_list("pk", flat=True)
        )
        assert [int(row["id"]) for row in csv_rows(client, f"/articles/{ARTICLE}.csv")] == expected
        _, data = document(client, f"/articles/{ARTICLE}.json")
        assert [claim["id"] for claim in data["claims"]] == expected
        assert data["slug"] == ARTICLE and data["outlet"] == "Global Times" and data["licence"] == LICENCE
        assert draft.pk not in expected

    def test_an_operation_exports_its_public_figures_as_the_figures_list_does(self, client, seed):
        operation = Operation.objects.get(slug="demeter-v")
        rows = csv_rows(client, "/operations/demeter-v.csv")
        assert list(rows[0]) == FIGURE_COLUMNS
        listed = {row["slug"]: row for row in csv_rows(client, "/figures.csv?operation=demeter-v")}
        assert rows == [listed[row["slug"]] for row in rows]
        assert len(rows) == len(listed)
        _, data = document(client, "/operations/demeter-v.json")
        assert data["name"] == operation.name and data["licence"] == LICENCE
        assert [figure["slug"] for figure in data["figures"]] == [row["slug"] for row in rows]

    @pytest.mark.parametrize(
        "url",
        [f"/figures/{FIGURE}.csv", f"/figures/{FIGURE}.json", f"/articles/{ARTICLE}.json", "/operations/demeter-v.csv"],
    )
    def test_each_carries_the_licence_and_may_be_read_from_any_site(self, client, seed, url):
        response = client.get(url)
        assert response["Link"] == LICENCE_LINK
        assert response["Access-Control-Allow-Origin"] == "*"

    @pytest.mark.parametrize(
        ("url", "link"),
        [
            (f"/figures/{FIGURE}/", f"/figures/{FIGURE}.json"),
            (f"/articles/{ARTICLE}/", f"/articles/{ARTICLE}.csv"),
            ("/operations/demeter-v/", "/operations/demeter-v.json"),
        ],
    )
    def test_each_page_links_its_data(self, client, seed, url, link):
        assert f'href="{link}"' in client.get(url).content.decode()

    def test_an_unpublished_record_has_no_data(self, client, seed):
        Article.objects.filter(slug=ARTICLE).update(status="draft")
        response = client.get(f"/articles/{ARTICLE}.json")
        assert response.status_code == 404
        assert response.json() == {"status": 404, "error": "Nothing is published at this address."}
        response = client.get("/figures/no-such-figure.csv")
        assert response.status_code == 404 and response["Content-Type"].startswith("text/plain")


class TestJsonErrors:
    @pytest.mark.parametrize("page", ["abc", "0"])
    def test_a_malformed_page_gets_a_json_400_naming_it(self, client, seed, page):
        response = client.get(f"/articles.json?page={page}")
        assert response.status_code == (400 if page == "abc" else 404)
        assert response.json()["parameters"] == ["page"]

    def test_a_page_past_the_end_gets_a_json_404_naming_it(self, client, seed):
        response = client.get("/operations.json?page=99")
        assert response.status_code == 404
        assert response.json() == {
            "status": 404,
            "error": "There is no page of rows with this number.",
            "parameters": ["page"],
        }


# Each new data address and its queries, beside the data version every address reads first.
DATA = {
    # outlet facet is not read by an export: count, articles with their claim counts.
    "/articles.json": 3,
    # articles with their claim counts (one chunk).
    "/articles.csv": 2,
    # count, operations with figure counts, aliases, coordinators.
    "/operations.json": 5,
    "/operations.csv": 4,
    # figure, its claims with article, outlet and speaker, their figure's linked figures (one chunk).
    f"/figures/{FIGURE}.csv": 4,
    # the same and its misattribution hints, as the figures export reads them.
    f"/figures/{FIGURE}.json": PAGES["/figures.csv"] + 1,
    # article, its claims with everything joined, their figures' linked figures.
    f"/articles/{ARTICLE}.csv": 4,
    f"/articles/{ARTICLE}.json": 4,
    # operation, its aliases and coordinators, then its figures as the figures export reads them.
    "/operations/demeter-v.csv": PAGES["/figures.csv"] + 3,
    "/operations/demeter-v.json": PAGES["/figures.csv"] + 3,
}


@pytest.mark.parametrize(("url", "expected"), DATA.items())
def test_it_pins_the_queries_of_each_data_address(client, seed, django_assert_num_queries, url, expected):
    count_queries(client, django_assert_num_queries, url, expected)
    grow()
    count_queries(client, django_assert_num_queries, url, expected)


@pytest.mark.parametrize(("view", "url"), [(ArticleList, "/articles.json"), (OperationList, "/operations.json")])
def test_it_costs_the_same_on_every_page(client, seed, django_assert_num_queries, monkeypatch, view, url):
    grow()
    monkeypatch.setattr(view, "paginate_by", 2)
    _, first = document(client, f"{url}?page=1")
    last = (first["count"] + 1) // 2
    assert last > 2
    for page in (1, 2, last):
        cache.clear()  # the pages of one list share their cached count
        count_queries(client, django_assert_num_queries, f"{url}?page={page}", DATA[url])
