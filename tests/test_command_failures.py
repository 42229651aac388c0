"""The data commands when the database fails them: one line on stderr saying what happened and
what it means for the data, a non-zero exit, no traceback."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

NOWHERE = "postgres://postgres@127.0.0.1:1/archive"  # nothing listens on port 1


@pytest.mark.parametrize(
    ("command", "consequence"),
    [
        (["archive_import", "outlets", "outlets.csv"], "nothing was imported"),
        (["archive_export", "outlets", "outlets.csv"], "outlets.csv is incomplete"),
        (["archive_backup", "dump.json"], "the backup in dump.json is incomplete"),
        (["archive_restore", "dump.json"], "nothing was restored"),
    ],
)
def test_it_says_in_one_line_when_the_database_cannot_be_reached(tmp_path, command, consequence):
    (tmp_path / "outlets.csv").write_text("slug,name\n")
    (tmp_path / "dump.json").write_text("[]")
    result = subprocess.run(
        [sys.executable, os.path.abspath("manage.py"), *command],
        env={**os.environ, "DATABASE_URL": NOWHERE},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("CommandError: The database could not be reached or the connection was lost: ")
    assert "Connection refused" in line
    assert line.endswith(f"; {consequence}.")


def test_it_says_when_the_database_stops_an_import_midway(db, tmp_path):
    (tmp_path / "outlets.csv").write_text("slug,name\n")
    deadlock = OperationalError("deadlock detected\nDETAIL:  Process 1 waits for ShareLock")
    importing = mock.patch("archive.management.commands.archive_import.import_file", side_effect=deadlock)
    with importing, pytest.raises(CommandError) as refused:
        call_command("archive_import", "outlets", tmp_path / "outlets.csv")
    assert str(refused.value) == (
        "The database stopped the work: deadlock detected DETAIL: Process 1 waits for ShareLock; nothing was imported."
    )
