import getpass
import os
import shlex
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import transaction

PASSWORD_VARIABLE = "ARCHIVE_EDITOR_PASSWORD"


class Command(BaseCommand):
    help = (
        f"Create a staff account in the Editors group. The password is read from {PASSWORD_VARIABLE} "
        "if set, else asked twice on a terminal; with neither, the account has no usable password "
        "until someone sets one with changepassword."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        user = User(username=username, email=email, is_staff=True)
        stdin = options.get("stdin", sys.stdin)
        password = os.environ.get(PASSWORD_VARIABLE) or (ask_password() if stdin and stdin.isatty() else None)
        if password is None:
            user.set_unusable_password()
        else:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(Group.objects.get(name="Editors"))
        if password is None:
            self.stdout.write(
                f"Editor {username!r} created without a password, since there is no terminal to ask it on "
                f"and {PASSWORD_VARIABLE} is not set. To set it, run from a terminal:\n"
                f"  python manage.py changepassword {shlex.quote(username)}"
            )
        else:
            self.stdout.write(f"Editor {username!r} created; sign in at /admin/.")


def ask_password():
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        raise CommandError("The two passwords differ; nothing was created.")
    return password
