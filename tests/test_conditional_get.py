"""Every public response carries an ETag and a Last-Modified from the data version, and a
conditional GET of an unchanged page gets 304 for the one query that reads the version."""

from datetime import timedelta

import pytest
from django.utils.http import http_date, parse_http_date

from archive.models import Claim, DataVersion

FIGURE = "/figures/demeter-v-waste-seized-china-customs/"
ADDRESSES = [
    "/",
    "/figures/?status=disputed",
    FIGURE,
    "/claims.json?page=1",
    "/articles.csv",
    "/operations/demeter-v.json",
    "/methodology/",
    "/search/?q=1828",
]


@pytest.mark.parametrize("url", ADDRESSES)
def test_it_gives_an_etag_and_the_time_the_data_last_changed(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    changed_at = DataVersion.state()[1]
    assert response["Last-Modified"] == http_date(int(changed_at.timestamp()))
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("url", ADDRESSES)
def test_a_conditional_get_of_an_unchanged_address_costs_one_query(client, seed, django_assert_num_queries, url):
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(1):
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert not response.content


def test_it_answers_if_modified_since(client, seed):
    last_modified = client.get(FIGURE)["Last-Modified"]
    assert client.get(FIGURE, headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = http_date(parse_http_date(last_modified) - 1)
    assert client.get(FIGURE, headers={"If-Modified-Since": earlier}).status_code == 200


def test_a_head_request_gets_the_same_validators(client, seed):
    got = client.get(FIGURE)
    head = client.head(FIGURE)
    assert (head["ETag"], head["Last-Modified"]) == (got["ETag"], got["Last-Modified"])
    assert client.head(FIGURE, headers={"If-None-Match": got["ETag"]}).status_code == 304


def test_each_address_and_query_has_its_own_etag(client, seed):
    etags = {client.get(url)["ETag"] for url in ["/figures/", "/figures/?status=disputed", "/figures.json", "/claims/"]}
    assert len(etags) == 4
    # A parameter the page does not read changes nothing, as for the cache.
    assert client.get("/figures/?utm_source=x")["ETag"] == client.get("/figures/")["ETag"]


def test_an_edit_changes_the_etag_and_the_old_one_gets_the_new_page(client, seed):
    response = client.get(FIGURE)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    DataVersion.objects.filter(pk=1).update(changed_at=DataVersion.state()[1] - timedelta(minutes=5))
    old = client.get(FIGURE)

    claim = Claim.objects.published().filter(figure__slug="demeter-v-waste-seized-china-customs").first()
    claim.note = "Checked against the source."
    claim.save()

    response = client.get(FIGURE, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    response = client.get(FIGURE, headers={"If-Modified-Since": old["Last-Modified"]})
    assert response.status_code == 200
    assert parse_http_date(response["Last-Modified"]) >= parse_http_date(last_modified)


def test_an_error_carries_no_etag(client, seed):
    response = client.get("/figures/?status=unsure")
    assert response.status_code == 400
    assert not response.has_header("ETag")


def test_a_new_release_draws_the_page_afresh_under_a_new_etag(client, seed, monkeypatch):
    """A deploy that changes how pages are drawn changes no data: the release's digest keeps a
    page cached, or validated, before it from being served after it."""
    from archive.views import base

    before = client.get(FIGURE)
    monkeypatch.setattr(base, "release", lambda: "another release")
    response = client.get(FIGURE, headers={"If-None-Match": before["ETag"]})
    assert response.status_code == 200
    assert response["ETag"] != before["ETag"]
    assert response.context is not None  # drawn, not read from the cache


def test_the_release_digest_changes_with_a_template():
    from archive.views import base

    base.release.cache_clear()  # as the tree is now, whatever an earlier test read
    first = base.release()
    base.release.cache_clear()
    template = base.Path(base.__file__).resolve().parents[1] / "templates" / "archive" / "_zz_release_probe.html"
    try:
        template.write_text("a change")
        assert base.release() != first
    finally:
        template.unlink()
        base.release.cache_clear()
    assert base.release() == first
