"""Shared fixtures: the seed data and the people who use the archive.

Alice is an editor, Sam is a superuser, Bob is staff with no permissions, and an
anonymous reader needs no fixture. `chromium` is the headless browser the browser tests drive.
"""

import os
import shutil

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command


@pytest.fixture
def seed(db):
    call_command("load_seed", verbosity=0)


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
