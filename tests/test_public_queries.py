"""Every public page costs a fixed number of queries, however many rows it shows."""

import pytest

from archive.models import Figure

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
            make.article("Another report: they seized 5,000 units in all.", source=sources[0]),
            elsewhere,
            "they seized 5,000 units in all",
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


# Each page and its queries, as the comments list them.
PAGES = {
    # 4 counts (figures, claims, articles, outlets), disputed count, operations + their aliases,
    # contested figures + their claims, latest articles.
    "/": 10,
    # 5 facets (operation, organisation, measure, status, outlet), count, page of figures,
    # their claims, their misattribution hints.
    "/figures/": 9,
    "/figures/?status=disputed&outlet=global-times&q=china&sort=sources": 9,
    # 5 facets, count, page of claims with article, outlet, figure and speaker joined.
    "/claims/": 7,
    "/claims/?status=disputed&sort=value&q=china": 7,
    # outlet facet, count, page of articles with their claim counts.
    "/articles/": 3,
    # count, page of operations with figure counts, aliases, coordinators.
    "/operations/": 4,
    # figure, its claims with the quotes' surroundings, its public misattribution hints, its claims' history.
    "/figures/demeter-v-waste-seized-china-customs/": 4,
    # article, its claims with their figures.
    "/articles/global-times-2019-11-26-china-will-apply-5g-technology/": 2,
    # operation, aliases, coordinators, articles with which names they use, figures, their claims.
    "/operations/demeter-v/": 6,
    # figures, their claims, their misattribution hints (one chunk).
    "/figures.csv": 3,
    # count, then the same three.
    "/figures.json": 4,
    # count, page, the page's claims, hints.
    "/figures.csv?page=1": 4,
    # claims with everything joined (one chunk).
    "/claims.csv": 1,
    # count, claims.
    "/claims.json": 2,
}


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
    article = figure.claims.first().article
    count_queries(client, django_assert_num_queries, figure.get_absolute_url(), 4)
    count_queries(client, django_assert_num_queries, article.get_absolute_url(), 2)
    count_queries(client, django_assert_num_queries, figure.operation.get_absolute_url(), 6)
