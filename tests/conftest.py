"""Shared fixtures: the seed data and the people who use the archive.

Alice is an editor, Sam is a superuser, Bob is staff with no permissions, and an
anonymous reader needs no fixture. `chromium` is the headless browser the browser tests drive.
"""

import os
import shutil
from importlib import import_module

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import settings
from pytest_django.fixtures import validate_django_db

# Property tests run the same examples every time, so a failure in CI is a failure on every
# machine; HYPOTHESIS_PROFILE=default explores new examples on each run instead.
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def static_files_looked_up_only_when_asked(settings):
    # Otherwise WhiteNoise scans every static file for each new test client: 25 ms a client.
    settings.WHITENOISE_AUTOREFRESH = True


DATA_VERSION_TRIGGERS = [
    *import_module("archive.migrations.0004_scale").DEFERRED_TRIGGERS,
    "archive_partof_raises_data_version",  # migration 0011
    "archive_origin_raises_data_version",  # migration 0012
]


@pytest.fixture(autouse=True)
def public_pages_cached_per_test(request):
    """Public pages are cached under the data version, which a test's rolled-back writes
    raise again to the same numbers: each test starts with an empty cache. On PostgreSQL
    the version is raised at commit, which a test never reaches: raise it per statement."""
    cache.clear()
    if "db" in request.fixturenames:
        request.getfixturevalue("db")
        raise_data_version_per_statement()


def raise_data_version_per_statement():
    """Again after loading a fixture: loaddata defers every constraint once it has checked them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(DATA_VERSION_TRIGGERS)} IMMEDIATE")


@pytest.fixture
def seed(db):
    call_command("load_seed", verbosity=0)
    raise_data_version_per_statement()


@pytest.fixture(scope="module")
def module_seed(django_db_setup, django_db_blocker):
    """The seed loaded once for a module of many tests and rolled back after it; each test still
    runs in a savepoint of its own (ask for `db` too)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seed", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def editor(db):
    alice = User.objects.create_user("alice", password="correct horse battery", is_staff=True)
    alice.groups.add(Group.objects.get(name="Editors"))
    return alice


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("sam", password="correct horse battery")


@pytest.fixture
def staff_without_permissions(db):
    return User.objects.create_user("bob", password="correct horse battery", is_staff=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium():
    """Headless Chromium through Playwright. Without it the test is skipped, unless
    ARCHIVE_REQUIRE_BROWSER=1 (as in CI), when it fails."""
    if not shutil.which(CHROMIUM):
        message = "Chromium not found: install it with `apt-get install chromium`"
        if os.environ.get("ARCHIVE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message} (ARCHIVE_REQUIRE_BROWSER=1 requires the browser tests to run)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def pytest_collection_modifyitems(items):
    """Transactional tests run last (pytest-django puts them there, deciding as here which are),
    each flushing the database after it. Each must roll back serialized: a flush without it makes
    the content types again under new keys, and the next serialized test's rows collide with them."""
    unserialized = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, _, serialized, _ = validate_django_db(marker) if marker else (False,) * 5
        fixtures = getattr(item, "fixturenames", [])
        transactional = transaction or reset_sequences or {"transactional_db", "live_server"} & set(fixtures)
        if transactional and not (serialized or "django_db_serialized_rollback" in fixtures):
            unserialized.append(item.nodeid)
    if unserialized:
        tests = "\n".join(unserialized)
        raise pytest.UsageError(f"Mark these django_db(transaction=True, serialized_rollback=True):\n{tests}")
