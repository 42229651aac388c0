"""Public pages are cached under the data version, which database triggers raise on every write
to the tables they read, and detail pages by the change log the same triggers write. A table
without its triggers would serve stale pages without a word: these tests write to every table of
the archive's models and watch the version rise and the change logged."""

from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.db import connection
from django.utils import timezone
from simple_history.models import HistoricalChanges

from archive.models import Change, DataVersion, DismissedNumber, Outlet

# Tables no public page reads: the version's own, its change log, and the editors' marks on their
# claim desk.
UNREAD = {DataVersion, Change, DismissedNumber}


def public_tables():
    """{table: model} for every model of the archive and its many-to-many links, but the history
    tables, which public pages do not read, and `UNREAD`."""
    return {
        model._meta.db_table: model
        for model in apps.get_app_config("archive").get_models(include_auto_created=True)
        if not issubclass(model, HistoricalChanges) and model not in UNREAD
    }


def writes_that_leave_the_version():
    """[(table, statement)] for each UPDATE, DELETE and INSERT of a row of each public table that
    left the data version where it was. The row is deleted and inserted again, so nothing changes."""
    return writes_that_miss(lambda before: DataVersion.current() == before)


def writes_that_log_nothing():
    """[(table, statement)] for each such write that logged no change of a later version: the
    detail pages that show the row would be served from before it."""
    return writes_that_miss(lambda before: not Change.objects.filter(version__gt=before).exists())


def writes_that_miss(missed):
    """[(table, statement)] for each write to a row of each public table after which
    `missed(the version before it)`."""
    quote = connection.ops.quote_name
    unraised = []
    with connection.cursor() as cursor:
        raise_per_statement(cursor)
        for table, model in sorted(public_tables().items()):
            pk = quote(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {pk} LIMIT 1")
            row = cursor.fetchone()
            assert row, f"the seed has no row in {table} to write"
            columns = [column[0] for column in cursor.description]
            names = ", ".join(quote(column) for column in columns)
            key = row[columns.index(model._meta.pk.column)]
            statements = {
                "UPDATE": (f"UPDATE {quote(table)} SET {pk} = {pk} WHERE {pk} = %s", [key]),
                "DELETE": (f"DELETE FROM {quote(table)} WHERE {pk} = %s", [key]),
                "INSERT": (f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(row))})", row),
            }
            for statement, (sql, params) in statements.items():
                before = DataVersion.current()
                cursor.execute(sql, params)
                if missed(before):
                    unraised.append((table, statement))
    return unraised


def raise_per_statement(cursor):
    """PostgreSQL's triggers wait for the commit, which a test never reaches; these are found in
    the catalogue, so a trigger a later migration adds is made immediate too."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgdeferrable AND tgfoid = 'archive_raise_data_version()'::regprocedure"
        )
        names = ", ".join(connection.ops.quote_name(name) for (name,) in cursor.fetchall())
        cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")


def drop_data_version_triggers(table):
    """Drop `table`'s data-version triggers, inside the test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Pending checks of deferred constraints would refuse the DROP: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND tgfoid = 'archive_raise_data_version()'::regprocedure",
                [table],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)} ON {connection.ops.quote_name(table)}")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")


def test_every_write_to_a_table_the_public_pages_read_raises_the_data_version(seed):
    assert writes_that_leave_the_version() == []


def test_every_write_to_a_table_the_public_pages_read_logs_a_change(seed):
    assert writes_that_log_nothing() == []


def test_it_names_a_table_whose_trigger_is_dropped(seed):
    drop_data_version_triggers("archive_claim")

    assert writes_that_leave_the_version() == [
        ("archive_claim", "UPDATE"),
        ("archive_claim", "DELETE"),
        ("archive_claim", "INSERT"),
    ]


def test_it_names_a_table_whose_change_log_trigger_is_dropped(seed):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for event in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER archive_figure_{event}_logs_change ON archive_figure")
        else:  # one trigger raises the version and logs
            drop_data_version_triggers("archive_figure")

    assert writes_that_log_nothing() == [
        ("archive_figure", "UPDATE"),
        ("archive_figure", "DELETE"),
        ("archive_figure", "INSERT"),
    ]


def test_a_write_sets_the_time_the_version_changed(seed):
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    DataVersion.objects.filter(pk=1).update(changed_at=long_ago)
    assert DataVersion.state()[1] == long_ago  # setting the time alone does not raise the version

    Outlet.objects.filter(pk=Outlet.objects.first().pk).update(name="Renamed")

    assert DataVersion.state()[1] > timezone.now() - timedelta(minutes=1)


def test_every_thousandth_version_prunes_the_change_log_a_hundred_thousand_versions_behind(seed):
    DataVersion.objects.filter(pk=1).update(version=100_999)
    Change.objects.create(scope="figure:1", version=1_000)
    Change.objects.create(scope="figure:1", version=1_001)

    Outlet.objects.filter(pk=Outlet.objects.first().pk).update(name="Renamed")

    assert DataVersion.state()[0::2] == (101_000, 1_000)
    assert list(Change.objects.filter(scope="figure:1").values_list("version", flat=True)) == [1_001]
