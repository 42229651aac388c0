import os
from collections import Counter
from contextlib import ExitStack

from django.contrib.auth import get_permission_codename, get_user_model
from django.core.management import BaseCommand, CommandError
from django.db import connection

from archive.csv_io.bundles import BundleRefused, import_bundle, open_bundle
from archive.csv_io.files import import_file
from archive.csv_io.reading import ImportRefused
from archive.csv_io.resources import RESOURCES
from archive.derivation import Derived
from archive.management.database import database_failures_told
from archive.models import Figure

SHOWN_NOTICES = 20
ANALYZED_AFTER_ROWS = 1000


def refresh_planner_statistics(model):
    """After a bulk load PostgreSQL's planner still sees the tables as they were, and can pick plans
    that take minutes until autovacuum (if it runs at all) catches up; so gather the statistics now:
    of the imported table whole (its text is searched), and of the tables an import adds to or
    changes only the columns their readers choose rows by: the history's indexed columns (a
    history is never searched by its text) and the figures' derived state."""
    if connection.vendor != "postgresql":
        return
    history = model.history.model
    tables = [
        (model, []),
        (history, [field.column for field in history._meta.concrete_fields if field.db_index or field.primary_key]),
    ]
    if model is not Figure:
        tables.append((Figure, [Figure._meta.get_field(name).column for name in Derived._fields]))
    quote = connection.ops.quote_name
    analysed = [
        quote(table._meta.db_table) + (f" ({', '.join(map(quote, columns))})" if columns else "")
        for table, columns in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(analysed))


class Command(BaseCommand):
    requires_system_checks = []  # as loaddata and dumpdata: data in and out needs no URL or admin checks
    help = (
        "Import a CSV file of one kind of row, or a bundle of files of several kinds (docs/csv.md). All or "
        "nothing: if any row has a problem, nothing is written, every problem is listed with its file, row and "
        "column, and the exit code is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", help=f"what the file holds: {', '.join(RESOURCES)}; or a bundle's .zip")
        parser.add_argument("file", nargs="?", help="the CSV file, UTF-8")
        parser.add_argument(
            "--bundle",
            nargs="+",
            metavar="FILE",
            help="import these CSV files (and zips of them) as one, each file's kind told by its name or header",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, then write nothing")
        parser.add_argument(
            "--user",
            help="record the changes in the admin history under this user, who must be allowed to change these kinds",
        )

    def handle(self, *args, kind=None, file=None, bundle=None, dry_run=False, user=None, verbosity=1, **options):
        if bundle and (kind or file):
            raise CommandError("Give either KIND FILE or --bundle FILE [FILE ...], not both.")
        if not bundle and kind and kind.lower().endswith(".zip") and not file:
            bundle = [kind]
        if bundle:
            return self.import_bundle(bundle, dry_run, user, verbosity)
        if kind not in RESOURCES:
            raise CommandError(
                f"Unknown kind {kind!r}: choose one of {', '.join(RESOURCES)}, or import several files with "
                "--bundle FILE [FILE ...]."
                if kind
                else "Name what to import: KIND FILE, a bundle's .zip, or --bundle FILE [FILE ...]."
            )
        if not file:
            raise CommandError(f"Name the file of {kind} to import: archive_import {kind} FILE.")
        with database_failures_told("nothing was imported"):
            user = self.importing_user(user, [kind])
            try:
                with open(file, "rb") as stream:
                    result = import_file(kind, stream, dry_run=dry_run, user=user)
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
            except ImportRefused as refused:
                problems = refused.problems
            else:
                problems = result.problems
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Nothing was imported: {len(problems):,} problem(s) in {file}.")
        self.stdout.write(("Dry run, nothing written. " if dry_run else "Imported ") + result.summary(kind) + ".")
        if not dry_run and result.created + result.updated >= ANALYZED_AFTER_ROWS:
            self.analyze(RESOURCES[kind]._meta.model)
        self.write_notices(result.notices, verbosity)

    def import_bundle(self, paths, dry_run, username, verbosity):
        with ExitStack() as streams, database_failures_told("nothing was imported"):
            try:
                sources = [(os.path.basename(path), streams.enter_context(open(path, "rb"))) for path in paths]
            except OSError as error:
                raise CommandError(f"Cannot read {error.filename}: {error.strerror}.") from None
            try:
                files = open_bundle(sources)
            except BundleRefused as refused:
                self.refuse(refused.problems, "the bundle")
            user = self.importing_user(username, [file.kind for file in files])
            report = import_bundle(files, dry_run=dry_run, user=user)
        if report.problems:
            self.refuse(report.problems, "the bundle", later=report.later_files_note())
        self.stdout.write(
            ("Dry run, nothing written. " if dry_run else "Imported ")
            + f"a bundle of {len(report.files)} file(s), in this order:"
        )
        for file_report in report.files:
            self.stdout.write(f"  {file_report.summary()}")
        written = Counter()
        for file_report in report.files:
            written[file_report.kind] += file_report.result.created + file_report.result.updated
        for kind, rows in written.items():
            if not dry_run and rows >= ANALYZED_AFTER_ROWS:
                self.analyze(RESOURCES[kind]._meta.model)
        self.write_notices(report.notices, verbosity)

    def refuse(self, problems, where, later=""):
        for problem in problems:
            self.stderr.write(str(problem))
        if later:
            self.stderr.write(later)
        raise CommandError(f"Nothing was imported: {len(problems):,} problem(s) in {where}.")

    def analyze(self, model):
        with database_failures_told("the rows are imported, but the planner's statistics are not: run ANALYZE"):
            refresh_planner_statistics(model)

    def write_notices(self, notices, verbosity):
        shown = notices if verbosity > 1 else notices[:SHOWN_NOTICES]
        for notice in shown:
            self.stdout.write(f"Note: {notice}")
        if len(shown) < len(notices):
            self.stdout.write(f"... and {len(notices) - len(shown):,} more notes (-v 2 lists them all).")

    def importing_user(self, username, kinds):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}.")
        for kind in dict.fromkeys(kinds):
            opts = RESOURCES[kind]._meta.model._meta
            if not user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
                raise CommandError(f"{username} may not change {opts.verbose_name_plural}, so may not import them.")
        return user
