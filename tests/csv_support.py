"""Helpers for the CSV tests: run the commands, write files, and photograph the database."""

import csv
import io

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from archive.csv_io.resources import RESOURCES
from archive.models import Change

KINDS = list(RESOURCES)
CLAIMS_HEADER = RESOURCES["claims"].columns()
CHINA_DAILY = "china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling"
GLOBAL_TIMES = "global-times-2019-11-26-china-will-apply-5g-technology"
# A seed claim the tests delete and import again.
SEVENTY_THREE = {
    "figure": "thunderball-2019-cases-china-customs",
    "quote": "China customs contributed to 73 of those cases",
}


class Run:
    def __init__(self, ok, out, err):
        self.ok, self.out, self.err = ok, out, err

    @property
    def problems(self):
        """The lines the command printed for each problem."""
        return [line for line in self.err.splitlines() if line and not line.startswith("Nothing was imported")]


def run(command, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as error:
        return Run(False, out.getvalue(), err.getvalue() + str(error))
    return Run(True, out.getvalue(), err.getvalue())


def csv_text(rows, line_end="\r\n"):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


def import_csv(tmp_path, kind, content, *options):
    """Import `content` (rows, text or bytes) as a file of `kind`."""
    if isinstance(content, list):
        content = csv_text(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path = tmp_path / f"{kind}-import.csv"
    path.write_bytes(content)
    return run("archive_import", kind, str(path), *options)


def export_csv(kind):
    result = run("archive_export", kind)
    assert result.ok, result.err
    return result.out


def claim_row(**cells):
    row = {"article": CHINA_DAILY, "unit": "count", "bound": "exact", "status": "published"}
    row.update(cells)
    return [row.get(column, "") for column in CLAIMS_HEADER]


def database_state():
    """Every row of every archive table (history and link tables included) and the admin log;
    not the change log, which records the writes (tests/test_data_version.py): within a test's
    one transaction a later statement stamps its rows again."""
    state = {}
    for model in apps.get_app_config("archive").get_models(include_auto_created=True):
        if model is Change:
            continue
        state[model._meta.label] = list(model._default_manager.order_by("pk").values())
    state["admin.LogEntry"] = list(LogEntry.objects.order_by("pk").values())
    return state


def file_bytes(content):
    """A file's bytes from rows, text or bytes."""
    if isinstance(content, list):
        content = csv_text(content)
    return content.encode("utf-8") if isinstance(content, str) else content


def zip_bytes(files):
    """A zip of {name: content}, as a spreadsheet user's zip tool would make it."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, file_bytes(content))
    return buffer.getvalue()


def import_bundle(tmp_path, files, *options):
    """Import {name: content} as a bundle of files, with `archive_import --bundle`."""
    paths = []
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(file_bytes(content))
        paths.append(str(path))
    return run("archive_import", *options, "--bundle", *paths)
