from django.contrib.auth import get_permission_codename, get_user_model
from django.core.management import BaseCommand, CommandError
from django.db import connection

from archive.csv_io.files import import_file
from archive.csv_io.reading import ImportRefused
from archive.csv_io.resources import RESOURCES
from archive.management.database import database_failures_told
from archive.models import Figure

SHOWN_NOTICES = 20
ANALYZED_AFTER_ROWS = 1000


def refresh_planner_statistics(model):
    """After a bulk load PostgreSQL's planner still sees the tables as they were, and can pick plans
    that take minutes until autovacuum (if it runs at all) catches up; so gather the statistics now."""
    if connection.vendor != "postgresql":
        return
    tables = {model._meta.db_table, model.history.model._meta.db_table, Figure._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in sorted(tables)))


class Command(BaseCommand):
    requires_system_checks = []  # as loaddata and dumpdata: data in and out needs no URL or admin checks
    help = (
        "Import a CSV file of one kind of row (docs/csv.md). All or nothing: if any row has a problem, "
        "nothing is written, every problem is listed with its row and column, and the exit code is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(RESOURCES), help="what the file holds")
        parser.add_argument("file", help="the CSV file, UTF-8")
        parser.add_argument("--dry-run", action="store_true", help="check and count, then write nothing")
        parser.add_argument(
            "--user",
            help="record the changes in the admin history under this user, who must be allowed to change this kind",
        )

    def handle(self, *args, kind, file, dry_run=False, user=None, verbosity=1, **options):
        with database_failures_told("nothing was imported"):
            user = self.importing_user(user, kind)
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
            with database_failures_told("the rows are imported, but the planner's statistics are not: run ANALYZE"):
                refresh_planner_statistics(RESOURCES[kind]._meta.model)
        shown = result.notices if verbosity > 1 else result.notices[:SHOWN_NOTICES]
        for notice in shown:
            self.stdout.write(f"Note: {notice}")
        if len(shown) < len(result.notices):
            self.stdout.write(f"... and {len(result.notices) - len(shown):,} more notes (-v 2 lists them all).")

    def importing_user(self, username, kind):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}.")
        opts = RESOURCES[kind]._meta.model._meta
        if not user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
            raise CommandError(f"{username} may not change {opts.verbose_name_plural}, so may not import them.")
        return user
