"""Shared fixtures: the seed data and the people who use the archive.

Alice is an editor, Sam is a superuser, Bob is staff with no permissions, and an
anonymous reader needs no fixture.
"""

from importlib import import_module

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

DATA_VERSION_TRIGGERS = import_module("archive.migrations.0004_scale").DEFERRED_TRIGGERS


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
