from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command

from archive.models import Article

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed.json"


class Command(BaseCommand):
    help = "Load the founding articles and their figures, unless the archive already holds articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even if the archive has articles (overwrites seeded rows)."
        )

    def handle(self, *args, force=False, **options):
        if Article.objects.exists() and not force:
            self.stdout.write("The archive already holds articles; seed data not loaded (use --force to reload).")
            return
        call_command("loaddata", SEED, verbosity=options["verbosity"])
        # Fixtures load without history; give every seeded record its first version.
        call_command("populate_history", "--auto", verbosity=0)
