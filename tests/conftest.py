"""Shared fixtures: the seed data and the people who use the archive.

Alice is an editor, Sam is a superuser, Bob is staff with no permissions, and an
anonymous reader needs no fixture.
"""

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
