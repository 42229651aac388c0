"""Every public page costs a fixed number of queries, however many rows it shows."""

import pytest
from django.core.cache import cache

from archive.models import Figure
from archive.views import ArticleList, ClaimList, FigureList, OperationList, OutletDetail, OutletList

from . import public_data as make


def grow(times=3):
    """More of everything every page shows: operations with aliases, outlets, articles,
    disputed figures with several sources, and misattribution hints."""
    for round_ in range(times):
        operation = make.operation(aliases=[f"Alias {round_} A", f"Alias {round_} B"])
        operation.coordinators.add(make.organisation(f"Coordinator {round_}"))
        sources = [make.outlet(f"Outlet {round_}-{index}") for index in range(3)]
        for index in range(4):
            make.sourced_figure([100 + index, 900 + index, 5000], within=operation, sources=sources)
        elsewhere = make.figure(measure="weight_seized", within=operation, of=make.organisation(f"Scope {round_}"))
        make.claim(
            make.article("Another report: they seized 5,000 in all.", source=sources[0]),
            elsewhere,
            "they seized 5,000 in all",
            5000,
        )
    assert Figure.objects.filter(status="disputed").count() >= 2 + 4 * times
    assert Figure.objects.filter(possible_misattributions__isnull=False).exists()


def count_queries(client, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected):
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)


# Each page and its queries, as the comments list them, plus the data version every page
# reads first (the pages are cached under it; each test starts with an empty cache).
PAGES = {
    # 4 counts (figures, claims, articles, outlets), disputed count, operations + their aliases,
    # contested figures + their claims, hinted figures' count, hints (2: see HINTS), latest articles.
    "/": 14,
    # The facets counted over the same rows in one grouped query (operation, organisation, measure,
    # status, misattribution) with the operations' and organisations' names (2), the outlet facet
    # (figures counted once per outlet), count, page of figures, their claims, their
    # misattribution hints, the hints in words (2).
    "/figures/": 11,
    # The keys the search finds, once for the count, the facets and the page; the status and
    # outlet facets each over rows of their own.
    "/figures/?status=disputed&outlet=global-times&q=china&sort=sources": 13,
    # The misattribution facet over rows of its own.
    "/figures/?misattributed=yes": 12,
    "/figures/?misattributed=no": 12,
    # The figures' facets from the figures' stored counts in one grouped query with the names (2),
    # the outlet facet, count, page of claims with article, outlet, figure and speaker joined, the
    # figures' linked figures, hints (2).
    "/claims/": 10,
    # The search's keys; the status facet over rows of its own, the five others over the claims
    # in one query with the outlets' names too (3).
    "/claims/?status=disputed&sort=value&q=china": 12,
    "/claims/?misattributed=yes": 11,
    "/claims/?misattributed=no": 11,
    # outlet facet, count, page of articles with their claim counts.
    "/articles/": 4,
    # count, page of operations with figure counts, aliases, coordinators.
    "/operations/": 5,
    # figure, its claims with the quotes' surroundings, its hints (2), its claims' history, their
    # articles' history, its values' travels, the claims it is compared with as a part or a whole;
    # the same with hints or without.
    "/figures/demeter-v-waste-seized-china-customs/": 9,
    "/figures/thunderball-2019-seizures-china/": 9,
    # article, its claims with their figures, their hints (2).
    "/articles/global-times-2019-11-26-china-will-apply-5g-technology/": 5,
    # operation, aliases, coordinators, its figures and claims counted by status, articles with which
    # names they use, a page of figures, their claims, their hints (2), the claims of its parts and wholes.
    "/operations/demeter-v/": 11,
    # count, page of outlets, their records in one grouped query.
    "/outlets/": 4,
    # outlet, its record, count, page of claims with what the record finds.
    "/outlets/global-times/": 5,
    # figures, their claims, their misattribution hints (one chunk).
    "/figures.csv": 4,
    # count, then the same three.
    "/figures.json": 5,
    # count, page, the page's claims, hints.
    "/figures.csv?page=1": 5,
    # claims with everything joined, their figures' linked figures (one chunk).
    "/claims.csv": 3,
    # count, then the same two.
    "/claims.json": 4,
}


FIGURE_PAGE = PAGES["/figures/demeter-v-waste-seized-china-customs/"]


@pytest.mark.parametrize(("url", "expected"), PAGES.items())
def test_it_pins_the_queries_of_each_page_on_the_seed_data(client, seed, django_assert_num_queries, url, expected):
    count_queries(client, django_assert_num_queries, url, expected)


@pytest.mark.parametrize(("url", "expected"), PAGES.items())
def test_it_keeps_the_queries_constant_as_rows_are_added(client, seed, django_assert_num_queries, url, expected):
    grow()
    count_queries(client, django_assert_num_queries, url, expected)


def test_it_keeps_the_queries_constant_on_the_new_rows_own_pages(client, seed, django_assert_num_queries):
    grow(times=1)
    figure = Figure.objects.filter(status="disputed", claims__isnull=False).exclude(slug__startswith="demeter").first()
    assert figure.possible_misattributions.exists()
    article = figure.claims.first().article
    count_queries(client, django_assert_num_queries, figure.get_absolute_url(), FIGURE_PAGE)
    count_queries(client, django_assert_num_queries, article.get_absolute_url(), 5)
    count_queries(
        client, django_assert_num_queries, figure.operation.get_absolute_url(), PAGES["/operations/demeter-v/"]
    )


LISTS = [
    (FigureList, "/figures/"),
    (ClaimList, "/claims/"),
    (ArticleList, "/articles/"),
    (OperationList, "/operations/"),
    (OutletList, "/outlets/"),
]


@pytest.mark.parametrize(("view", "url"), LISTS)
def test_it_keeps_the_queries_constant_on_every_page_of_a_long_list(
    client, seed, django_assert_num_queries, monkeypatch, view, url
):
    monkeypatch.setattr(view, "paginate_by", 2)
    first = client.get(url)
    grow()
    response = client.get(url)
    pages = response.context["page_obj"].paginator.num_pages
    assert pages > max(2, first.context["page_obj"].paginator.num_pages)
    for page in (1, 2, pages // 2 + 1, pages - 1, pages):
        cache.clear()  # the pages of one list share their cached facets and count
        count_queries(client, django_assert_num_queries, f"{url}?page={page}", PAGES[url])


@pytest.mark.parametrize(("view", "url"), LISTS)
def test_a_page_read_from_its_end_lists_the_rows_of_the_same_page_read_from_the_start(
    client, seed, monkeypatch, view, url
):
    grow()
    monkeypatch.setattr(view, "paginate_by", 1000)
    rows = list(client.get(url).context["object_list"])
    monkeypatch.setattr(view, "paginate_by", 3)
    pages = [
        list(client.get(f"{url}?page={page}").context["object_list"]) for page in range(1, (len(rows) + 2) // 3 + 1)
    ]
    assert [row.pk for page in pages for row in page] == [row.pk for row in rows]


def test_it_keeps_the_queries_constant_on_every_page_of_an_outlets_record(
    client, seed, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(OutletDetail, "paginate_by", 2)
    url = "/outlets/global-times/"
    pages = client.get(url).context["page_obj"].paginator.num_pages
    assert pages > 3
    for page in (1, 2, pages):
        cache.clear()
        count_queries(client, django_assert_num_queries, f"{url}?page={page}", PAGES[url])


def test_a_cached_page_costs_one_query_and_shows_an_edit_on_the_next_request(client, seed, django_assert_num_queries):
    figure = Figure.objects.filter(status="disputed").first()
    count_queries(client, django_assert_num_queries, figure.get_absolute_url(), FIGURE_PAGE)
    count_queries(client, django_assert_num_queries, figure.get_absolute_url(), 1)
    count_queries(client, django_assert_num_queries, "/figures/", PAGES["/figures/"])
    count_queries(client, django_assert_num_queries, "/figures/", 1)
    figure.title = "A title no page has shown yet"
    figure.save()
    assert "A title no page has shown yet" in client.get(figure.get_absolute_url()).content.decode()
    assert "A title no page has shown yet" in client.get("/figures/").content.decode()
