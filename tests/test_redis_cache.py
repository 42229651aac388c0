"""Public pages cached in a real Redis, configured as production configures it (REDIS_URL),
under the data version every write raises.

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
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

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
    with mock.patch.dict(os.environ, {"REDIS_URL": REDIS_URL, "DJANGO_CACHE_PREFIX": prefix}):
        configured = runpy.run_path(str(SETTINGS_FILE))
    with override_settings(CACHES=configured["CACHES"]):
        yield configured
        caches["default"].close()
    for key in redis_client.scan_iter(match=f"{prefix}:*"):
        redis_client.delete(key)


def stored_keys(redis_client, settings):
    return set(redis_client.scan_iter(match=f"{settings['CACHES']['default']['KEY_PREFIX']}:*"))


def test_the_settings_put_the_cache_in_redis(redis_settings):
    assert redis_settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis_settings["CACHES"]["default"]["LOCATION"] == REDIS_URL


def test_a_public_page_is_served_from_redis_the_second_time(
    client, seed, redis_settings, redis_client, django_assert_num_queries
):
    assert not stored_keys(redis_client, redis_settings)
    first = client.get(FIGURE)
    assert first.status_code == 200
    assert stored_keys(redis_client, redis_settings)

    with django_assert_num_queries(1):  # the data version
        second = client.get(FIGURE)
    assert second.content == first.content

    # A list with filters is its own page, rendered once and then served from Redis too.
    with CaptureQueriesContext(connection) as rendered:
        listed = client.get("/figures/?status=disputed")
    assert listed.status_code == 200 and len(rendered) > 1
    with django_assert_num_queries(1):
        assert client.get("/figures/?status=disputed").content == listed.content


def test_an_editors_change_shows_on_the_next_request(client, seed, redis_settings):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    assert figure.title in client.get(FIGURE).content.decode()
    assert figure.title in client.get("/figures/").content.decode()

    figure.title = "Waste seized in Operation Demeter V, as corrected"
    figure.save()

    assert figure.title in client.get(FIGURE).content.decode()
    assert figure.title in client.get("/figures/").content.decode()


def test_the_admin_is_never_stored_even_for_a_signed_in_editor(client, seed, editor, redis_settings, redis_client):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    assert client.get("/admin/login/").status_code == 200
    client.force_login(editor)
    for path in ["/admin/", "/admin/archive/claim/?q=waste", f"/admin/archive/figure/{figure.pk}/change/"]:
        first = client.get(path)
        assert first.status_code == 200, path
        assert "no-store" in first["Cache-Control"], path
        # Served afresh: the session and the page's data are read from the database again.
        with CaptureQueriesContext(connection) as again:
            assert client.get(path).status_code == 200, path
        assert len(again) > 1, path
    assert not stored_keys(redis_client, redis_settings)


def test_the_health_check_and_refused_methods_are_never_stored(client, seed, redis_settings, redis_client):
    for _ in range(2):
        assert client.get("/healthz").status_code == 200
    assert client.post("/figures/").status_code == 405
    assert client.post("/articles/").status_code == 405
    assert not stored_keys(redis_client, redis_settings)


def test_a_signed_in_editor_reads_the_same_cached_public_page(
    client, seed, editor, redis_settings, django_assert_num_queries
):
    """Public pages show published data alone, whoever reads them, so they are shared."""
    anonymous = client.get(FIGURE)
    assert "Cookie" not in anonymous.get("Vary", "")
    client.force_login(editor)
    with django_assert_num_queries(1):
        signed_in = client.get(FIGURE)
    assert signed_in.content == anonymous.content
