"""Public pages are cached under the data version. Every write raises it, however it is made
(a save, a bulk update, a many-to-many change, a delete, a CSV import), so no page rendered
before a change is served after it."""

import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import Client

from archive.models import Article, Change, Claim, DataVersion, Figure, Operation, OperationAlias, Outlet

from .csv_support import CHINA_DAILY, CLAIMS_HEADER, SEVENTY_THREE, claim_row, import_csv

WRITES = {
    "a bulk update of claims": lambda: Claim.objects.update(note="Checked."),
    "an update of an article": lambda: Article.objects.filter(slug=CHINA_DAILY).update(byline="A. Reporter"),
    "coordinators removed": lambda: Operation.objects.get(slug="demeter-v").coordinators.clear(),
    "an alias deleted": lambda: OperationAlias.objects.all().delete(),
    "outlets created in bulk": lambda: Outlet.objects.bulk_create([Outlet(name="Xinhua", slug="xinhua")]),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_kind_of_write_raises_the_data_version(seed, write):
    before = DataVersion.current()
    write()
    assert DataVersion.current() > before


def test_a_cached_page_shows_a_bulk_update_made_after_it(client, seed):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    assert "A title set in bulk" not in client.get(figure.get_absolute_url()).content.decode()
    Figure.objects.filter(pk=figure.pk).update(title="A title set in bulk")
    assert "A title set in bulk" in client.get(figure.get_absolute_url()).content.decode()


def test_a_cached_list_shows_a_claim_imported_after_it(client, seed, tmp_path):
    Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"]).delete()
    url = f"/claims/?figure={SEVENTY_THREE['figure']}"
    assert SEVENTY_THREE["quote"] not in client.get(url).content.decode()
    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, claim_row(value="73", **SEVENTY_THREE)])
    assert result.ok, result.err
    assert SEVENTY_THREE["quote"] in client.get(url).content.decode()


@pytest.mark.parametrize("url", ["/", "/figures/", "/claims/", "/figures/demeter-v-waste-seized-china-customs/"])
def test_a_page_first_rendered_for_an_editor_is_the_page_a_reader_gets(editor_client, seed, url):
    for_editor = editor_client.get(url).content
    cache.clear()
    assert Client().get(url).content == for_editor


@pytest.fixture
def cache_entries(settings):
    """The number of entries in a cache of this process's memory."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return lambda: len(cache._cache)


@pytest.mark.parametrize(
    "url",
    [
        "/figures/?status=disputed",
        "/claims.json?page=1",
        "/operations/",
        "/figures/demeter-v-waste-seized-china-customs/",
    ],
)
def test_it_keeps_one_copy_of_a_page_whatever_parameters_it_does_not_read(client, seed, cache_entries, url):
    def body(junk):
        response = client.get(f"{url}{'&' if '?' in url else '?'}utm_junk={junk}&ref=x{junk}")
        return b"".join(response.streaming_content) if response.streaming else response.content

    first = body(0)
    entries = cache_entries()
    for junk in range(1, 50):
        assert body(junk) == first
    assert cache_entries() == entries


def test_it_keeps_one_copy_of_a_page_whatever_the_order_of_its_parameters(client, seed, cache_entries):
    first = client.get("/figures/?status=disputed&operation=demeter-v").content
    entries = cache_entries()
    assert client.get("/figures/?operation=demeter-v&status=disputed").content == first
    assert cache_entries() == entries


def test_it_keeps_a_copy_of_each_filtered_view(client, seed, cache_entries):
    disputed = client.get("/figures/?status=disputed").content
    entries = cache_entries()
    assert client.get("/figures/?status=single").content != disputed
    assert cache_entries() > entries


def test_a_page_links_only_the_parameters_it_reads(client, seed, monkeypatch):
    from archive.views import FigureList

    monkeypatch.setattr(FigureList, "paginate_by", 1)
    html = client.get("/figures/?utm_junk=1&sort=title").content.decode()
    assert "sort=title" in html
    assert "utm_junk" not in html


def test_a_detail_page_is_kept_across_a_write_to_another_record_and_drawn_afresh_after_one_to_its_own(client, seed):
    figure, other = Figure.objects.exclude(status="unsourced").order_by("pk")[:2]
    client.get(figure.get_absolute_url())

    Figure.objects.filter(pk=other.pk).update(notes="Another figure's note.")
    assert client.get(figure.get_absolute_url()).context is None  # from the cache

    Figure.objects.filter(pk=figure.pk).update(notes="Its own note.")
    response = client.get(figure.get_absolute_url())
    assert response.context is not None
    assert "Its own note." in response.content.decode()


def test_a_detail_page_older_than_the_change_log_is_drawn_afresh(client, seed):
    figure, other = Figure.objects.exclude(status="unsourced").order_by("pk")[:2]
    client.get(figure.get_absolute_url())
    DataVersion.objects.filter(pk=1).update(log_from=DataVersion.current() + 1)  # as a pruning leaves it

    Figure.objects.filter(pk=other.pk).update(notes="Another figure's note.")

    assert client.get(figure.get_absolute_url()).context is not None


@pytest.mark.parametrize("url", ["/figures/", "/figures/demeter-v-waste-seized-china-customs/"])
def test_a_database_made_afresh_is_never_served_the_pages_of_another(client, seed, url):
    """A restore starts the versions and the change log again, while the cache may keep the pages
    of the database before it, at versions the new one will reach."""
    client.get(url)
    Figure.objects.filter(slug="demeter-v-waste-seized-china-customs").update(title="Waste seized, restored")
    Change.objects.all().delete()
    DataVersion.objects.update(version=1, log_from=None, epoch=F("epoch") + 1)
    assert "Waste seized, restored" in client.get(url).content.decode()
