"""The sitemap lists every public page, with the date it last changed where the records know it,
and robots.txt points to it."""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from django.core.cache import cache

from archive import sitemaps
from archive.models import Article, Claim, Figure, Operation

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
    # the number of figures, a page of their keys and slugs, the page's figures' latest history
    # dates and their public claims' latest saves.
    "/sitemap-figures.xml": 5,
    "/sitemap-figures.xml?p=2": 5,
    # the number of articles, a page of their slugs and dates.
    "/sitemap-articles.xml": 3,
    # the number of operations, a page of their keys and slugs, their latest history dates.
    "/sitemap-operations.xml": 4,
    # the number of outlets, a page of their slugs.
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


def test_a_page_past_the_middle_lists_its_records_in_order_each_with_its_own_date(
    client, seed, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(sitemaps.FigureSitemap, "limit", 5)
    grow(range(4))
    figures = list(Figure.objects.filter(source_count__gt=0).order_by("pk"))
    pages = -(-len(figures) // 5)
    page = pages - 1  # a full page, read from the end of the list
    assert (page - 1) * 5 > len(figures) // 2
    shown = figures[(page - 1) * 5 : page * 5]
    changed, claimed, drafted = shown[0], shown[-1], shown[-2]
    changed._history_date = datetime(2031, 5, 6, tzinfo=UTC)
    changed.save()
    claim = claimed.claims.first()
    Claim.objects.filter(pk=claim.pk).update(updated_at=datetime(2032, 7, 8, tzinfo=UTC))  # a save without history
    draft = make.claim(claim.article, drafted, claim.quote, claim.value, status="draft")
    Claim.objects.filter(pk=draft.pk).update(updated_at=datetime(2033, 1, 1, tzinfo=UTC))  # not public: no date
    cache.clear()

    def expected(figure):
        history = figure.history.latest("history_date").history_date
        claims = Claim.objects.published().filter(figure=figure).latest("updated_at").updated_at
        return f"{max(history, claims):%Y-%m-%d}"

    with django_assert_num_queries(5):
        listed = urls(client.get(f"/sitemap-figures.xml?p={page}"))
    assert listed == {figure.get_absolute_url(): expected(figure) for figure in shown}
    assert listed[changed.get_absolute_url()] == "2031-05-06"
    assert listed[claimed.get_absolute_url()] == "2032-07-08"
    assert listed[drafted.get_absolute_url()] != "2033-01-01"
    every = [
        address for number in range(1, pages + 1) for address in urls(client.get(f"/sitemap-figures.xml?p={number}"))
    ]
    assert every == [figure.get_absolute_url() for figure in figures]


def test_an_operation_is_dated_by_its_latest_change(client, seed):
    operation = Operation.objects.order_by("pk").last()
    operation._history_date = datetime(2031, 5, 6, tzinfo=UTC)
    operation.save()
    listed = urls(client.get("/sitemap-operations.xml"))
    assert listed[operation.get_absolute_url()] == "2031-05-06"
    for other in Operation.objects.exclude(pk=operation.pk):
        assert listed[other.get_absolute_url()] == f"{other.history.latest('history_date').history_date:%Y-%m-%d}"


def test_a_cached_sitemap_costs_one_query(client, seed, django_assert_num_queries):
    client.get("/sitemap-figures.xml")
    with django_assert_num_queries(1):
        assert client.get("/sitemap-figures.xml").status_code == 200
