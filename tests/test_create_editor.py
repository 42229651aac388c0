"""`create_editor` works without a terminal, as in a deploy script or CI."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command


def create_editor(name, **options):
    """The command with its input not a terminal, and what it printed."""
    out = io.StringIO()
    call_command("create_editor", name, stdin=io.StringIO(""), stdout=out, **options)
    return out.getvalue()


def test_it_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("ARCHIVE_EDITOR_PASSWORD", "correct horse battery")
    create_editor("dana", email="dana@example.org")
    dana = User.objects.get(username="dana")
    assert dana.check_password("correct horse battery")
    assert (dana.is_staff, dana.email, list(dana.groups.values_list("name", flat=True))) == (
        True,
        "dana@example.org",
        ["Editors"],
    )


def test_it_creates_an_editor_who_sets_the_password_later_when_no_one_can_type_it(db, monkeypatch):
    monkeypatch.delenv("ARCHIVE_EDITOR_PASSWORD", raising=False)
    printed = create_editor("dana")
    dana = User.objects.get(username="dana")
    assert not dana.has_usable_password()
    assert dana.groups.filter(name="Editors").exists()
    assert "python manage.py changepassword dana" in printed


def test_it_refuses_a_weak_password_from_the_environment_and_creates_no_one(db, monkeypatch):
    monkeypatch.setenv("ARCHIVE_EDITOR_PASSWORD", "dana")
    with pytest.raises(CommandError, match="The password is too similar to the username."):
        create_editor("dana")
    assert not User.objects.filter(username="dana").exists()
