from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection

from archive.management.database import database_failures_told
from archive.models import Article, Figure, Operation, Organisation, Outlet, Person


class Command(BaseCommand):
    help = "Load a dump written by archive_backup into an archive that holds no content yet."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A dump written by archive_backup.")

    def handle(self, *args, file, **options):
        with database_failures_told("nothing was restored"):
            self.load(file)
        if connection.vendor == "postgresql":
            statistics_failed = "the archive is restored, but the planner's statistics are not: run ANALYZE"
            with database_failures_told(statistics_failed), connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner would otherwise see the empty tables of before
        self.stdout.write(f"Restored {file}.")

    def load(self, file):
        holding = [
            str(model._meta.verbose_name_plural)
            for model in (Outlet, Organisation, Person, Operation, Article, Figure)
            if model.objects.exists()
        ]
        if holding:
            raise CommandError(
                f"The archive already holds {', '.join(holding)}; restore only into an empty database "
                "(create one and run `manage.py migrate` first). Nothing was loaded."
            )
        call_command("loaddata", file, verbosity=0)  # one transaction: all or nothing
