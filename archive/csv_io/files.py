"""Whole files in and out, for `archive_import` and `archive_export`."""

import csv
import io

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from import_export.results import RowResult

from .reading import Table, read_dataset
from .resources import RESOURCES, ClaimResource

FLUSH_ROWS = 1000


def import_file(kind, stream, dry_run=False, user=None):
    """Import a binary stream of CSV; returns the report, or raises ImportRefused when the file
    cannot be read at all. With `user`, the changes are recorded in the admin history as theirs."""
    rows = read_rows(kind, stream)
    result = RESOURCES[kind]().import_data(rows, dry_run=dry_run, user=user, retain_instance_in_row_result=bool(user))
    if user and not dry_run and not result.problems:
        log_rows(result, user)
    return result


def read_rows(kind, stream):
    """The rows of a binary stream of CSV for `kind`'s import, or ImportRefused when the file cannot
    be read at all. Claims are read as they are imported, a batch at a time; the others are small."""
    return Table(stream) if RESOURCES[kind] is ClaimResource else read_dataset(stream)


def log_rows(result, user):
    """What the admin's import does with its result (the claims import logs its own rows)."""
    for import_type, action in ((RowResult.IMPORT_TYPE_NEW, ADDITION), (RowResult.IMPORT_TYPE_UPDATE, CHANGE)):
        instances = [row.instance for row in result.rows if row.import_type == import_type and row.instance]
        if instances:
            LogEntry.objects.log_actions(user.pk, instances, action, change_message="Imported from CSV")


def export_file(kind, out):
    """Write every row of `kind` to a text stream, as CSV with \\r\\n line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows = 0
    for rows, row in enumerate(RESOURCES[kind]().export_rows()):
        writer.writerow(row)
        if rows % FLUSH_ROWS == 0:
            out.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        out.write(buffer.getvalue())
    return rows
