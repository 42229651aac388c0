"""Public pages read from PostgreSQL streaming replicas (DATABASE_REPLICA_URLS), as production
configures them; everything else from the primary.

The standby tests make a real hot standby of the test cluster on this machine (`pg_basebackup -R`,
started on a port of its own as the PostgreSQL server's system user) and hold it behind the
primary by pausing its replay. They need PostgreSQL's tools beside a server on this machine that
accepts replication connections (pg_hba.conf: `host replication postgres 127.0.0.1/32 trust`);
without them they are skipped, unless ARCHIVE_REQUIRE_REPLICA=1 (as in CI), when they fail.
"""

import os
import pwd
import runpy
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import closing, contextmanager
from pathlib import Path
from unittest import mock

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections, router
from django.db.utils import load_backend
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from archive import replicas
from archive.models import Figure

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"
FIGURE = "/figures/demeter-v-waste-seized-china-customs/"
CORRECTED = "Waste seized in Operation Demeter V, as corrected"
WAIT = 120  # seconds any one step of making, starting or catching up the standby may take


def on_a_standby(test):
    test = pytest.mark.django_db(transaction=True, serialized_rollback=True)(test)
    return pytest.mark.skipif(connection.vendor != "postgresql", reason="streaming replication is PostgreSQL's")(test)


def configured(urls, **environment):
    """config/settings.py as it reads with DATABASE_REPLICA_URLS=urls."""
    with mock.patch.dict(os.environ, {"DATABASE_REPLICA_URLS": urls, **environment}):
        return runpy.run_path(str(SETTINGS_FILE))


@contextmanager
def replica(url):
    """Public pages read from the replica at `url`, configured as production configures it."""
    alias = "replica1"
    databases = {"default": connections.settings["default"], alias: configured(url)["DATABASES"][alias]}
    database = connections.configure_settings(databases)[alias]
    # Made as Django makes a connection, but for this thread and this test alone.
    connections[alias] = load_backend(database["ENGINE"]).DatabaseWrapper(database, alias)
    replicas.passed_over.clear()
    try:
        with override_settings(DATABASE_REPLICAS=[alias]):
            yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        replicas.passed_over.clear()


@pytest.fixture
def closed_port():
    """A port of this machine where nothing answers while the test runs."""
    with closing(socket.socket()) as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


def test_the_settings_make_a_replica_of_each_url_and_migrate_the_primary_alone():
    settings = configured("postgres://reader@replica-a.internal/archive,postgres://reader@replica-b.internal/archive")
    assert settings["DATABASE_REPLICAS"] == ["replica1", "replica2"]
    first = settings["DATABASES"]["replica1"]
    assert (first["HOST"], first["NAME"]) == ("replica-a.internal", "archive")
    assert first["OPTIONS"]["isolation_level"] == psycopg.IsolationLevel.REPEATABLE_READ
    assert first["OPTIONS"]["connect_timeout"] == 2
    assert settings["DATABASES"]["replica2"]["HOST"] == "replica-b.internal"
    # Reached as the primary is, with the replica's own options on top.
    settings = configured(
        "postgres://reader@replica-a.internal/archive?sslmode=verify-full&connect_timeout=5",
        DATABASE_URL="postgres://archive@db.internal/archive?sslmode=require&application_name=archive",
    )
    options = settings["DATABASES"]["replica1"]["OPTIONS"]
    assert (options["sslmode"], options["application_name"]) == ("verify-full", "archive")
    assert int(options["connect_timeout"]) == 5
    assert configured("")["DATABASE_REPLICAS"] == []
    assert router.allow_migrate("default", "archive")
    assert not router.allow_migrate("replica1", "archive")


def test_a_replica_that_does_not_answer_is_passed_over_for_the_primary(client, seed, closed_port, caplog):
    with replica(f"postgres://postgres@127.0.0.1:{closed_port}/archive") as alias:
        for _ in range(2):
            response = client.get(FIGURE)
            assert response.status_code == 200
            assert "Demeter" in response.content.decode()
        assert alias in replicas.passed_over
        assert caplog.text.count("does not answer") == 1  # not tried again for a while


def test_a_signed_in_editor_reads_the_primary_without_asking_a_replica(editor_client, seed, closed_port, caplog):
    with replica(f"postgres://postgres@127.0.0.1:{closed_port}/archive") as alias:
        assert editor_client.get(FIGURE).status_code == 200
        assert alias not in replicas.passed_over
    assert "does not answer" not in caplog.text


def test_a_page_is_read_again_from_the_primary_when_its_replica_fails_meanwhile(client, seed, closed_port, caplog):
    with (
        replica(f"postgres://postgres@127.0.0.1:{closed_port}/archive") as alias,
        mock.patch.object(replicas, "choose_replica", return_value=alias),
    ):
        response = client.get(FIGURE)
    assert response.status_code == 200
    assert "Demeter" in response.content.decode()
    assert "read from the primary" in caplog.text


def require_standby(reason):
    if os.environ.get("ARCHIVE_REQUIRE_REPLICA") == "1":
        pytest.fail(f"{reason} (ARCHIVE_REQUIRE_REPLICA=1 requires the replica tests to run)")
    pytest.skip(reason)


def wait_until(condition, what):
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the standby took more than {WAIT} s to {what() if callable(what) else what}")
        time.sleep(0.1)


class Standby:
    def __init__(self, database, port):
        self.url = f"postgres://{database['USER']}@127.0.0.1:{port}/{database['NAME']}"

    def sql(self, query, *parameters):
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as standby:
            return standby.execute(query, parameters).fetchone()[0]

    def answers(self):
        try:
            return self.sql("SELECT pg_is_in_recovery()")
        except psycopg.OperationalError:
            return False

    def pause(self):
        self.sql("SELECT pg_wal_replay_pause()")
        wait_until(lambda: self.sql("SELECT pg_get_wal_replay_pause_state()") == "paused", "pause its replay")

    def resume(self):
        self.sql("SELECT pg_wal_replay_resume()")

    def holds(self, position, what="receive"):
        """Wait until the standby has received (or replayed) the primary's WAL up to `position`."""
        function = "pg_last_wal_receive_lsn" if what == "receive" else "pg_last_wal_replay_lsn"
        state = "SELECT format('received %s, replayed %s, replay %s', pg_last_wal_receive_lsn(),"
        state += " pg_last_wal_replay_lsn(), pg_get_wal_replay_pause_state())"
        wait_until(
            lambda: self.sql(f"SELECT {function}() >= %s::pg_lsn", position),
            lambda: f"{what} the primary's WAL up to {position} ({self.sql(state)})",
        )


def primary_position():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker):
    """A hot standby of the primary, test database included, streaming from it on a port of its
    own; stopped and removed after the module."""
    database = connections["default"].settings_dict
    if database["HOST"] not in ("127.0.0.1", "localhost", "::1", ""):
        require_standby(f"the primary at {database['HOST']} is not on this machine")
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_config WHERE name = 'BINDIR'")
        bindir = Path(cursor.fetchone()[0])
        names = ["max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions"]
        names.append("max_locks_per_transaction")
        limits = {}
        for name in names:  # a hot standby needs at least the primary's
            cursor.execute(f"SHOW {name}")
            limits[name] = cursor.fetchone()[0]
    if not (bindir / "pg_basebackup").exists():
        require_standby(f"PostgreSQL's tools are not in {bindir}")
    owner = "postgres" if os.geteuid() == 0 else None  # the server refuses to run as root
    if owner:
        try:
            pwd.getpwnam(owner)
        except KeyError:
            require_standby("running as root, with no postgres user to run the standby")
    as_owner = ["runuser", "-u", owner, "--"] if owner else []

    work = Path(tempfile.mkdtemp(prefix="archive-standby-"))
    data = work / "data"
    if owner:
        shutil.chown(work, owner)
    with closing(socket.socket()) as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    environment = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
    primary = ["-h", database["HOST"] or "127.0.0.1", "-p", str(database["PORT"] or 5432), "-U", database["USER"]]
    pg_ctl = [*as_owner, bindir / "pg_ctl", "-D", data, "-w", "-t", str(WAIT)]
    try:
        copied = subprocess.run(
            [*as_owner, bindir / "pg_basebackup", *primary, "-D", data, "-R", "-X", "stream", "--checkpoint=fast"],
            capture_output=True,
            text=True,
            env=environment,
            timeout=5 * WAIT,
        )
        if copied.returncode:
            require_standby(f"pg_basebackup could not copy the primary: {copied.stderr.strip()}")
        # Its own settings, not the primary's: a copied postgresql.conf may name the primary's files.
        settings = "hot_standby = on\nfsync = off\nshared_buffers = 32MB\n"
        settings += "".join(f"{name} = {value}\n" for name, value in limits.items())
        (data / "postgresql.conf").write_text(settings)
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        if owner:
            for name in ("postgresql.conf", "pg_hba.conf"):
                shutil.chown(data / name, owner)
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={work}"
        started = subprocess.run(
            [*pg_ctl, "-l", work / "log", "-o", options, "start"], capture_output=True, text=True, timeout=2 * WAIT
        )
        log = (work / "log").read_text() if (work / "log").exists() else ""
        assert started.returncode == 0, f"the standby did not start: {started.stderr}{log}"
        standby = Standby(database, port)
        wait_until(standby.answers, "answer as a hot standby")
        yield standby
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True, timeout=2 * WAIT)
        shutil.rmtree(work, ignore_errors=True)


def read(client, path):
    """The page at `path`, a download read to its end."""
    response = client.get(path)
    assert response.status_code == 200
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode()


@pytest.fixture
def committed_seed(transactional_db):
    call_command("load_seed", verbosity=0)


@on_a_standby
@pytest.mark.parametrize("path", [FIGURE, "/figures/", "/figures.csv"])
def test_a_public_page_shows_an_edit_once_its_replica_replays_it_and_never_before(
    path, standby, committed_seed, editor_client
):
    client = Client()  # a reader, not signed in
    with replica(standby.url) as alias:
        standby.holds(primary_position(), "replay")  # the seed
        with CaptureQueriesContext(connections[alias]) as on_replica, CaptureQueriesContext(connection) as on_primary:
            page = read(client, path)
        assert "Waste seized" in page and CORRECTED not in page
        statements = [query["sql"] for query in on_replica if query["sql"] not in ("BEGIN", "COMMIT")]
        assert "archive_dataversion" in statements[0] and len(statements) > 1
        assert len(on_primary) == 0  # the version and every query of the page from the replica

        standby.pause()
        try:
            figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
            figure.title = CORRECTED
            figure.save()
            standby.holds(primary_position(), "receive")  # the edit is on the standby, not yet replayed
            for _ in range(2):
                assert CORRECTED not in read(client, path)
            # A signed-in editor reads the primary: the edit at once, and no page the replica drew
            # before it was cached under the version that has it.
            assert CORRECTED in read(editor_client, path)
        finally:
            standby.resume()

        standby.holds(primary_position(), "replay")
        assert CORRECTED in read(client, path)


@on_a_standby
def test_a_download_closed_before_it_is_read_ends_its_replica_transaction(client):
    """A HEAD, or a reader gone before the first row: the server closes the response unread."""
    with (
        replica(
            f"postgres://postgres@127.0.0.1:{connection.settings_dict['PORT'] or 5432}/"
            f"{connection.settings_dict['NAME']}"
        ) as alias,
        mock.patch.object(replicas, "choose_replica", return_value=alias),
    ):
        response = client.get("/figures.csv")
        assert connections[alias].in_atomic_block
        response.close()
        assert not connections[alias].in_atomic_block
