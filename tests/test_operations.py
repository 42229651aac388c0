"""Running the archive: health check, deployment check, backup and restore."""

import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.models import DateTimeField

from archive.models import Article, Claim, DataVersion, Figure, Operation, Organisation, Outlet, Person


def test_the_health_check_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_fails_when_the_database_does_not(client, db):
    with mock.patch("archive.health.connection.cursor", side_effect=DatabaseError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_the_health_check_changes_nothing(client, db):
    assert client.post("/healthz").status_code == 405


def test_the_deployment_check_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k3y-" + "x9Y!" * 15, DJANGO_ALLOWED_HOSTS="archive.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_page_carries_a_policy_that_allows_no_inline_script(client, db):
    policy = client.get("/healthz")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def archive_content():
    return [model.objects.count() for model in (Outlet, Organisation, Person, Operation, Article, Figure)]


def empty_the_archive_and_its_accounts():
    """What `flush` does to the backed-up tables, but inside the test's transaction, where
    PostgreSQL refuses TRUNCATE. Foreign keys are checked at the end, so any order will do."""
    models = [
        *apps.get_app_config("archive").get_models(include_auto_created=True),
        *apps.get_app_config("auth").get_models(include_auto_created=True),
        LogEntry,
    ]
    with connection.cursor() as cursor:
        for model in models:
            if model not in (Permission, DataVersion):  # made by migrations, not backed up
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def timestamps():
    """Every date-time the backup holds, by table: the archive's, its history's, the accounts'."""
    found = {}
    for label in ("archive", "auth"):
        for model in apps.get_app_config(label).get_models():
            fields = [field.attname for field in model._meta.concrete_fields if isinstance(field, DateTimeField)]
            if fields and model is not DataVersion:  # not backed up: the restore's writes raise it
                found[model._meta.label] = sorted(model._default_manager.values_list("pk", *fields))
    return found


def test_a_backup_restores_into_an_empty_database_unchanged(seed, superuser, tmp_path):
    claim = Claim.objects.get(value=1237)
    claim.note = "Checked against the GACC release."
    claim.save()  # leaves a history row to carry over
    statuses = dict(Figure.objects.values_list("slug", "status"))
    times = timestamps()
    # Some of them carry microseconds, which a millisecond format would cut.
    assert any(time.microsecond % 1000 for rows in times.values() for row in rows for time in row[1:] if time)
    call_command("archive_backup", tmp_path / "first.json")
    counts = archive_content()
    empty_the_archive_and_its_accounts()
    assert archive_content() == [0] * 6

    call_command("archive_restore", tmp_path / "first.json")

    assert archive_content() == counts
    assert dict(Figure.objects.values_list("slug", "status")) == statuses
    assert timestamps() == times  # to the microsecond
    assert User.objects.get(username="sam").is_superuser
    assert Group.objects.get(name="Editors").permissions.filter(codename="change_claim").exists()
    assert Claim.objects.get(value=1237).history.first().note == "Checked against the GACC release."
    if connection.vendor == "postgresql":  # the restore gathered the planner's statistics
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Claim._meta.db_table])
            assert cursor.fetchone()[0] == Claim.objects.count()
    call_command("archive_backup", tmp_path / "second.json")
    assert json.loads((tmp_path / "second.json").read_text()) == json.loads((tmp_path / "first.json").read_text())


def test_a_restore_refuses_an_archive_that_holds_content(seed, tmp_path):
    call_command("archive_backup", tmp_path / "dump.json")
    with pytest.raises(CommandError, match="already holds outlets"):
        call_command("archive_restore", tmp_path / "dump.json")
