from contextlib import contextmanager

from django.core.management import CommandError
from django.db import InterfaceError, OperationalError, connection


@contextmanager
def database_failures_told(nothing_done):
    """A database that cannot be reached, or drops the connection or the work midway, ends the
    command with one line saying so and what that means (`nothing_done`), not a traceback."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        reason = " ".join(str(error).split())
        if connection_lost():
            raise CommandError(
                f"The database could not be reached or the connection was lost: {reason}; {nothing_done}."
            ) from None
        raise CommandError(f"The database stopped the work: {reason}; {nothing_done}.") from None


def connection_lost():
    return connection.connection is None or getattr(connection.connection, "closed", False)
