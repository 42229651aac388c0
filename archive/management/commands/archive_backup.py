from django.core.management import BaseCommand, call_command

from archive.management.database import database_failures_told

# Everything an archive needs to be rebuilt elsewhere, edit history included. References
# between records use natural keys (permissions, content types, users, slugs), so the dump
# loads into any empty database; rows keep their ids because history rows refer to them.
# Admin log entries are not included, nor the data version and its change log (a database's own
# cache keys, which the restore's writes make anew).
BACKED_UP = ["auth.group", "auth.user", "archive"]
LEFT_OUT = ["archive.dataversion", "archive.change"]


class Command(BaseCommand):
    help = "Write a portable JSON dump of the archive and its accounts (natural keys)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the dump.")

    def handle(self, *args, file, **options):
        with database_failures_told(f"the backup in {file} is incomplete"):
            call_command(
                "dumpdata",
                *BACKED_UP,
                format="json_exact",
                exclude=LEFT_OUT,
                natural_foreign=True,
                indent=1,
                output=file,
                verbosity=0,
                traceback=True,  # the database's own error, not dumpdata's wrapping of it, for the message
            )
        self.stdout.write(f"Backup written to {file}.")
