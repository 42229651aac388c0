"""Public pages cached in a real Redis, configured as production configures it (REDIS_URL).

Redis is at ARCHIVE_TEST_REDIS_URL (default redis://127.0.0.1:6379/15). Without it these tests
are skipped, unless ARCHIVE_TEST_REDIS_URL is set (as in CI), when they fail. Each run keeps
its entries under a key prefix of its own and deletes only those.
"""

import os
import runpy
import uuid
from pathlib import Path
from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.cache import get_cache_key

from archive.models import Figure

REDIS_URL = os.environ.get("ARCHIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"
FIGURE = "/figures/demeter-v-waste-seized-china-customs/"


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL}: {error}"
        if "ARCHIVE_TEST_REDIS_URL" in os.environ:
            pytest.fail(f"{message} (ARCHIVE_TEST_REDIS_URL is set, so the Redis tests must run)")
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture
def redis_settings(redis_client):
    """The cache settings config/settings.py derives from REDIS_URL, in force for the test."""
    prefix = f"archive-test-{uuid.uuid4().hex[:12]}"
    environ = {"REDIS_URL": REDIS_URL, "DJANGO_CACHE_PREFIX": prefix}
    with mock.patch.dict(os.environ, environ):
        os.environ.pop("DJANGO_PUBLIC_PAGE_CACHE_SECONDS", None)
        configured = runpy.run_path(str(SETTINGS_FILE))
    names = ["CACHES", "MIDDLEWARE", "CACHE_MIDDLEWARE_SECONDS", "CACHE_MIDDLEWARE_KEY_PREFIX"]
    with override_settings(**{name: configured[name] for name in names}):
        yield configured
        caches["default"].close()
    for key in redis_client.scan_iter(match=f"{prefix}:*"):
        redis_client.delete(key)


def stored_page_key(path):
    """The Redis key the cache middleware stores an anonymous GET of `path` under, or None."""
    request = RequestFactory().get(path)
    key = get_cache_key(request, key_prefix="public", method="GET", cache=caches["default"])
    return caches["default"].make_and_validate_key(key) if key else None


def test_the_settings_put_public_pages_in_redis_for_a_minute(redis_settings):
    assert redis_settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis_settings["CACHES"]["default"]["LOCATION"] == REDIS_URL
    assert redis_settings["PUBLIC_PAGE_CACHE_SECONDS"] == 60 == redis_settings["CACHE_MIDDLEWARE_SECONDS"]
    middleware = redis_settings["MIDDLEWARE"]
    assert middleware[0] == "django.middleware.cache.UpdateCacheMiddleware"
    assert middleware[-1] == "django.middleware.cache.FetchFromCacheMiddleware"


def test_a_public_page_is_served_from_redis_the_second_time(
    client, seed, redis_settings, redis_client, django_assert_num_queries
):
    assert stored_page_key(FIGURE) is None
    first = client.get(FIGURE)
    assert first.status_code == 200
    key = stored_page_key(FIGURE)
    assert key is not None and redis_client.exists(key)
    assert 0 < redis_client.ttl(key) <= 60
    assert "max-age=60" in first["Cache-Control"]

    with django_assert_num_queries(0):
        second = client.get(FIGURE)
    assert second.status_code == 200
    assert second.content == first.content

    # A list with filters is its own page, rendered once and then served from Redis too.
    with CaptureQueriesContext(connection) as rendered:
        listed = client.get("/figures/?status=disputed")
    assert listed.status_code == 200 and len(rendered) > 0
    with django_assert_num_queries(0):
        assert client.get("/figures/?status=disputed").content == listed.content


def test_the_admin_is_never_stored_even_for_a_signed_in_editor(client, seed, editor, redis_settings):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    assert client.get("/admin/login/").status_code == 200
    assert stored_page_key("/admin/login/") is None

    client.force_login(editor)
    for path in ["/admin/", "/admin/archive/claim/?q=waste", f"/admin/archive/figure/{figure.pk}/change/"]:
        first = client.get(path)
        assert first.status_code == 200, path
        assert "no-store" in first["Cache-Control"], path
        assert stored_page_key(path) is None, path
        # Served afresh: the session and the page's data are read from the database again.
        with CaptureQueriesContext(connection) as again:
            assert client.get(path).status_code == 200, path
        assert len(again) > 0, path


def test_the_health_check_is_never_stored(client, db, redis_settings, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get("/healthz").status_code == 200
    assert stored_page_key("/healthz") is None


def test_a_post_is_neither_answered_from_nor_stored_in_the_cache(client, seed, redis_settings):
    assert client.get("/figures/").status_code == 200
    assert stored_page_key("/figures/") is not None
    assert client.post("/figures/").status_code == 405
    assert client.post("/articles/").status_code == 405
    assert stored_page_key("/articles/") is None


def test_an_editors_change_shows_once_the_cached_page_expires(client, seed, redis_settings, redis_client):
    """docs/deploy.md: public pages may be stale for up to DJANGO_PUBLIC_PAGE_CACHE_SECONDS."""
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    old_title = figure.title
    assert old_title in client.get(FIGURE).content.decode()

    figure.title = "Waste seized in Operation Demeter V, as corrected"
    figure.save()
    stale = client.get(FIGURE).content.decode()
    assert old_title in stale and figure.title not in stale
    key = stored_page_key(FIGURE)
    assert 0 < redis_client.ttl(key) <= 60

    redis_client.delete(key)  # what the expiry does at the latest 60 seconds after it was stored
    assert figure.title in client.get(FIGURE).content.decode()


def test_a_signed_in_editor_reads_the_same_cached_public_page(
    client, seed, editor, redis_settings, django_assert_num_queries
):
    """Public pages do not depend on who reads them, so they are shared: an editor, too,
    sees a public page up to a minute old."""
    anonymous = client.get(FIGURE)
    assert "Cookie" not in anonymous.get("Vary", "")
    client.force_login(editor)
    with django_assert_num_queries(0):
        signed_in = client.get(FIGURE)
    assert signed_in.content == anonymous.content
