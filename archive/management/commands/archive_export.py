from django.core.management import BaseCommand, CommandError

from archive.csv_io.files import export_file
from archive.csv_io.resources import RESOURCES
from archive.management.database import database_failures_told


class Command(BaseCommand):
    requires_system_checks = []  # as loaddata and dumpdata: data in and out needs no URL or admin checks
    help = "Export every row of one kind as CSV (docs/csv.md), to FILE or to standard output."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(RESOURCES), help="what to export")
        parser.add_argument("file", nargs="?", help="where to write; standard output when omitted")

    def handle(self, *args, kind, file=None, **options):
        if file is None:
            with database_failures_told("the output is incomplete"):
                export_file(kind, self.stdout)
            return
        try:
            with database_failures_told(f"{file} is incomplete"), open(file, "w", encoding="utf-8", newline="") as out:
                rows = export_file(kind, out)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
        self.stderr.write(f"Exported {rows:,} {kind} to {file}.")
