"""The sitemap lists every public page, with the date it last changed where the records know it,
and robots.txt points to it."""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from django.core.cache import cache

from archive import sitemaps
from archive.models import Article, Figure, Operation

from . import public_data as make

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def urls(response):
    """{address: lastmod or None} of a sitemap or a sitemap index."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    return {
        item.find(f"{SITEMAP}loc").text.removeprefix("http://testserver"): getattr(
            item.find(f"{SITEMAP}lastmod"), "text", None
        )
        for item in root
    }


def test_the_index_lists_one_sitemap_per_kind_of_page(client, seed):
    assert list(urls(client.get("/sitemap.xml"))) == [
        "/sitemap-pages.xml",
        "/sitemap-figures.xml",
        "/sitemap-articles.xml",
        "/sitemap-operations.xml",
        "/sitemap-outlets.xml",
    ]


def test_it_lists_every_public_page_and_nothing_unpublished(client, seed):
    draft = make.article("A draft of 5 tons.", status="draft")
    unsourced = make.figure(title="No published value")
    make.claim(draft, unsourced, "A draft of 5 tons", 5)

    listed = set()
    for section in urls(client.get("/sitemap.xml")):
        listed |= set(urls(client.get(section)))

    public = {"/", "/figures/", "/claims/", "/articles/", "/operations/", "/outlets/", "/methodology/"}
    public |= {figure.get_absolute_url() for figure in Figure.objects.filter(source_count__gt=0)}
    public |= {article.get_absolute_url() for article in Article.objects.filter(status="published")}
    public |= {operation.get_absolute_url() for operation in Operation.objects.all()}
    public |= {
        f"/outlets/{slug}/"
        for slug in Article.objects.filter(status="published").values_list("outlet__slug", flat=True)
    }
    assert listed == public
    assert draft.get_absolute_url() not in listed and unsourced.get_absolute_url() not in listed
    for address in listed:
        assert client.get(address).status_code == 200, address


def test_a_figure_is_dated_by_its_latest_change_or_its_claims(client, seed):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    claim = figure.claims.first()
    claim._history_date = datetime(2031, 5, 6, tzinfo=UTC)  # a claim's save sets its updated_at, not this
    claim.note = "Checked again."
    claim.save()
    claim.refresh_from_db()
    listed = urls(client.get("/sitemap-figures.xml"))
    assert listed[figure.get_absolute_url()] == f"{claim.updated_at:%Y-%m-%d}"
    figure._history_date = datetime(2031, 5, 6, tzinfo=UTC)
    figure.save()
    cache.clear()
    assert urls(client.get("/sitemap-figures.xml"))[figure.get_absolute_url()] == "2031-05-06"
    assert urls(client.get("/sitemap.xml"))["/sitemap-figures.xml"].startswith("2031-05-06")


def test_an_article_is_dated_by_its_last_save(client, seed):
    article = Article.objects.filter(status="published").first()
    assert urls(client.get("/sitemap-articles.xml"))[article.get_absolute_url()] == f"{article.updated_at:%Y-%m-%d}"


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Sitemap: http://testserver/sitemap.xml",
    ]


@pytest.mark.parametrize("page", ["abc", "0", "99", "-1"])
def test_a_page_of_a_sitemap_it_does_not_have_is_not_found(client, seed, page):
    assert client.get(f"/sitemap-figures.xml?p={page}").status_code == 404


def grow(rounds):
    for round_ in rounds:
        operation = make.operation()
        sources = [make.outlet(f"Outlet {round_}-{index}") for index in range(2)]
        for value in range(3):
            make.sourced_figure([100 + value, 200 + value], within=operation, sources=sources)


# Each address's queries, plus the data version every public address reads first.
ADDRESSES = {
    # per kind of record: its number of pages and its latest date (the figures' in two queries,
    # the outlets' none).
    "/sitemap.xml": 9,
    # the number of figures, a page of them with their dates.
    "/sitemap-figures.xml": 3,
    "/sitemap-figures.xml?p=2": 3,
    "/sitemap-articles.xml": 3,
    "/sitemap-operations.xml": 3,
    "/sitemap-outlets.xml": 3,
    "/sitemap-pages.xml": 1,
    "/robots.txt": 1,
}


@pytest.mark.parametrize(("url", "expected"), ADDRESSES.items())
def test_it_costs_the_same_queries_on_every_page_however_many_rows(
    client, seed, django_assert_num_queries, monkeypatch, url, expected
):
    monkeypatch.setattr(sitemaps.FigureSitemap, "limit", 5)
    sizes = []
    for rounds in (range(1), range(1, 4)):
        grow(rounds)
        cache.clear()
        with django_assert_num_queries(expected):
            response = client.get(url)
        sizes.append(len(response.content))
    assert sizes[1] >= sizes[0]


def test_a_cached_sitemap_costs_one_query(client, seed, django_assert_num_queries):
    client.get("/sitemap-figures.xml")
    with django_assert_num_queries(1):
        assert client.get("/sitemap-figures.xml").status_code == 200
