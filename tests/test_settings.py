import os
import subprocess
import sys

import pytest
from django.db import connection


def start_django(**environ):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(environ)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = start_django(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_it_starts_in_production_with_a_secret_key():
    result = start_django(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_it_reads_the_database_from_database_url():
    env = {"DATABASE_URL": "postgres://someone@db.example:5433/archive"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; d = settings.DATABASES['default']; "
            "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "db.example", "5433", "archive"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's just-in-time compiler")
def test_postgresql_runs_the_pages_queries_without_compiling_them(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
