"""Public pages read from PostgreSQL streaming replicas, everything else from the primary.

`DATABASE_REPLICA_URLS` (config/settings.py) names the replicas. Each public request reads from one
of them, chosen per request: the data version and every query of the page come from that one
server, in one REPEATABLE READ transaction, so a page is cached under the version of the very
snapshot it was drawn from, never under a newer one. A replica lags the primary by however long
replay takes; a reader may see the archive as it was a moment ago, never a mix. Writes, the admin,
commands, migrations and any request carrying a session (an editor signed in, who must see their
own change on the next request) use the primary. A replica that does not answer is passed over
for a while and the page read from the primary instead.
"""

import functools
import logging
import random
import time
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

logger = logging.getLogger(__name__)

# A replica that failed to answer is not tried again for this long by this process.
PASS_OVER_SECONDS = 30

reading_from = ContextVar("reading_from", default=None)
passed_over = {}


class ReplicaRouter:
    """Reads go where the request reads from (the primary unless `read_from_replica` chose a
    replica); writes and migrations go to the primary alone."""

    def db_for_read(self, model, **hints):
        return reading_from.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on every server

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def choose_replica(request):
    """The alias of a replica that answers, chosen at random, for this request to read from; or
    None to read from the primary."""
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    now = time.monotonic()
    replicas = [alias for alias in settings.DATABASE_REPLICAS if passed_over.get(alias, 0) <= now]
    random.shuffle(replicas)
    for alias in replicas:
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()  # a kept connection to a replica since stopped
            connection.ensure_connection()
            return alias
        except OperationalError as error:
            logger.warning("Replica %s does not answer, passed over for %d s: %s", alias, PASS_OVER_SECONDS, error)
            passed_over[alias] = now + PASS_OVER_SECONDS
    return None


def read_from_replica(view):
    """`view` reading from one replica for the whole request when there are replicas, in one
    transaction: its template rendered there too, a download's rows read there as they are sent.
    Read again from the primary if the replica fails before the response is made."""

    @functools.wraps(view)
    def reading_view(request, *args, **kwargs):
        alias = choose_replica(request)
        if alias is None:
            return view(request, *args, **kwargs)
        try:
            with ExitStack() as page_transaction, reading(alias):
                page_transaction.enter_context(transaction.atomic(using=alias))
                response = view(request, *args, **kwargs)
                if response.streaming:
                    # The transaction ends with the download, when the server closes it.
                    response.streaming_content = Streamed(alias, response.streaming_content, page_transaction.pop_all())
                elif not getattr(response, "is_rendered", True):
                    response.render()
                return response
        except OperationalError as error:
            logger.warning("Replica %s failed during %s, read from the primary: %s", alias, request.path, error)
        return view(request, *args, **kwargs)

    return reading_view


@contextmanager
def reading(alias):
    token = reading_from.set(alias)
    try:
        yield
    finally:
        reading_from.reset(token)


class Streamed:
    """A download's chunks, each read on the replica; the transaction ends when the server closes
    the response, whether or not it read them all (a HEAD, a reader gone)."""

    def __init__(self, alias, content, page_transaction):
        self.alias, self.content, self.page_transaction = alias, content, page_transaction

    def __iter__(self):
        chunks = iter(self.content)
        while True:
            with reading(self.alias):
                chunk = next(chunks, None)
            if chunk is None:
                self.close()
                return
            yield chunk

    def close(self):
        self.page_transaction.close()
