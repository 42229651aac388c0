"""The public downloads against the command-line export of the same claims, and against Datasette.

    .venv/bin/python tests/benchmarks/download_benchmark.py [--claims 100000] [--repeat 5] [--reuse]
        [--datasette PATH-TO-DATASETTE]

Builds (or with --reuse keeps) the PostgreSQL database `archive_downloads_<N>` (or --database)
on the server POSTGRES_URL names (by default postgres://postgres@127.0.0.1:5432): the seed data
and N synthetic claims, as scale_benchmark.py builds them. Then, in one process, it times `archive_export claims`
to a file and each download through Django's test client, read to the end, interleaved and
--repeat times, and prints the medians, each download's ratio to the command-line export and the
peak memory the process grew by while streaming it.

With --datasette (a Datasette installed apart, say `python3 -m venv ds && ds/bin/pip install
datasette`; the archive does not require it), the rows of each CSV download are written to a
SQLite database, one table a download (`claims`, `figures`...), which Datasette serves on
127.0.0.1; the archive is then served by gunicorn (config/gunicorn.conf.py, one worker) instead
of the test client, and each download and Datasette's streamed CSV of the same rows
(`/<db>/<table>.csv?_stream=on&_size=max`) are fetched over HTTP, interleaved.
"""

import argparse
import csv
import io
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.request import urlopen

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale_benchmark  # noqa: E402

DOWNLOADS = [
    "/claims.csv",
    "/claims.json",
    "/figures.csv",
    "/figures.json",
    "/articles.csv",
    "/articles.json",
    "/operations.csv",
    "/operations.json",
]


def measure(repeat, downloads, datasette=None):
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from archive.filters import public_claims

    setup_test_environment()
    client = Client()

    def export():
        with tempfile.NamedTemporaryFile(suffix=".csv") as file, open(os.devnull, "w") as quiet:
            call_command("archive_export", "claims", file.name, verbosity=0, stderr=quiet)

    def download(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            for _ in response.streaming_content:
                pass

        return fetch

    jobs = {"archive_export claims": export, **{url: download(url) for url in downloads}}
    compared = {}
    with tempfile.TemporaryDirectory() as work, open(os.devnull, "w") as quiet:
        servers = []
        try:
            if datasette:
                tables = datasette_tables(client, downloads, Path(work) / "archive.db")
                served = serve(
                    [datasette, "serve", "-i", str(Path(work) / "archive.db"), "--host", "127.0.0.1"]
                    + ["--setting", "max_csv_mb", "0", "--setting", "sql_time_limit_ms", "600000"],
                    "/-/versions.json",
                    quiet,
                )
                servers.append(served.process)
                archive = serve(
                    [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
                    "/robots.txt",
                    quiet,
                    gunicorn=True,
                )
                servers.append(archive.process)
                jobs.update({url: over_http(archive.address + url) for url in downloads})
                for url in downloads:
                    compared[url] = f"Datasette {tables[url]}.csv"
                    jobs[compared[url]] = over_http(f"{served.address}/archive/{tables[url]}.csv?_stream=on&_size=max")
            times = timed(jobs, repeat)
        finally:
            for process in servers:
                process.terminate()
                process.wait()
    peaks = {}
    for url in downloads:
        tracemalloc.start()
        download(url)()
        peaks[url] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    how = "served by gunicorn, " if datasette else ""
    print(f"{public_claims().count():,} published claims; {how}medians of {repeat} runs, interleaved")
    base = statistics.median(times["archive_export claims"])
    print(f"  {'download':24} {'median':>9} {'x export':>9} {'x Datasette':>12}")
    for name, spent in times.items():
        median = statistics.median(spent)
        against = f"{median / statistics.median(times[compared[name]]):12.2f}" if name in compared else " " * 12
        peak = f"   peak {peaks[name]:6.1f} MB (traced)" if name in peaks else ""
        print(f"  {name:24} {median:7.2f} s {median / base:8.2f}x {against}{peak}")


def timed(jobs, repeat):
    times = {name: [] for name in jobs}
    for job in jobs.values():
        job()  # warm-up
    for _ in range(repeat):
        for name, job in jobs.items():
            started = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - started)
    return times


def over_http(url):
    def fetch():
        with urlopen(url, timeout=600) as response:
            assert response.status == 200, (url, response.status)
            while response.read(1 << 16):
                pass

    return fetch


def datasette_tables(client, downloads, path):
    """The rows of each CSV download of `downloads` as a table of a SQLite database at `path`,
    keyed as the archive keys them; {download: its table}."""
    tables = {url: url.strip("/").split(".")[0].split("?")[0] for url in downloads}
    with sqlite3.connect(path) as database:
        for table in dict.fromkeys(tables.values()):
            response = client.get(f"/{table}.csv")
            assert response.status_code == 200, (table, response.status_code)
            rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
            columns = next(rows)
            key = "id INTEGER PRIMARY KEY" if columns[0] == "id" else f"{columns[0]} TEXT PRIMARY KEY"
            names = ", ".join([key, *(f'"{column}" TEXT' for column in columns[1:])])
            database.execute(f"CREATE TABLE {table} ({names})")
            database.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})", rows)
    return tables


class Served:
    def __init__(self, process, address):
        self.process, self.address = process, address


def serve(command, probe, log, gunicorn=False):
    """Start `command` on a free port of 127.0.0.1 and wait until `probe` answers there."""
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    env = dict(os.environ)
    if gunicorn:
        env.update(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", GUNICORN_TIMEOUT="600")
        env["DJANGO_ALLOWED_HOSTS"] += ",127.0.0.1"
    else:
        command = [*command, "--port", str(port)]
    process = subprocess.Popen(command, stdout=log, stderr=log, env=env, cwd=scale_benchmark.ROOT)
    address = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urlopen(address + probe, timeout=5):
                return Served(process, address)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{command[0]} did not answer on {address}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database an earlier run built")
    parser.add_argument("--downloads", default=",".join(DOWNLOADS), help="the addresses to time, by commas")
    parser.add_argument("--database", help="its name; archive_downloads_<claims> when omitted")
    parser.add_argument(
        "--datasette", help="a Datasette executable: compare each download with its CSV of the same rows"
    )
    parser.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "build":
        scale_benchmark.setup_django()
        return scale_benchmark.build(options.claims)
    if options.child == "measure":
        scale_benchmark.setup_django()
        return measure(options.repeat, options.downloads.split(","), options.datasette)

    server = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = options.database or f"archive_downloads_{options.claims}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{name}",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    arguments = ["--claims", str(options.claims), "--repeat", str(options.repeat), "--downloads", options.downloads]
    if options.datasette:
        arguments += ["--datasette", options.datasette]
    if not (options.reuse and scale_benchmark.database_exists(server, name)):
        print(f"Building {name}", file=sys.stderr, flush=True)
        scale_benchmark.recreate_database(server, name)
        subprocess.run([sys.executable, __file__, "--child", "build", *arguments], env=env, check=True)
    subprocess.run([sys.executable, __file__, "--child", "measure", *arguments], env=env, check=True)


if __name__ == "__main__":
    main()
