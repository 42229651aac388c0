"""Load test of the public site: gunicorn on PostgreSQL, concurrent readers on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_load \\
        .venv/bin/python tests/benchmarks/load_public.py [--claims 100000] [--clients 32] [--seconds 30]

Recreates the database named in DATABASE_URL (its name must contain "load", so that it is one of
its own), loads the seed data and a synthetic archive (tests/benchmarks/synthetic.py, imported
through `archive_import`), analyses it, starts gunicorn with debug off, then lets each client
fetch public pages (lists with filters, details, CSV and JSON exports) over one keep-alive
connection for a bounded time. Prints requests per second, latency percentiles and errors;
exits 1 on any error or 5xx. Talks to 127.0.0.1 only.
"""

import argparse
import http.client
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

from synthetic import generate  # noqa: E402

KINDS = ["outlets", "organisations", "people", "operations", "articles", "figures", "claims"]


def recreate_database(url):
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def build_archive(env, claims):
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed", "-v0")
    with tempfile.TemporaryDirectory() as directory:
        generate(Path(directory), claims=claims)
        for kind in KINDS:
            started = time.perf_counter()
            manage(env, "archive_import", kind, str(Path(directory) / f"{kind}.csv"))
            print(f"  imported {kind} in {time.perf_counter() - started:.1f} s", flush=True)
    manage(env, "collectstatic", "--noinput", "-v0")


def analyze(database_url):
    """Gather the planner's statistics, as autovacuum would have in an archive that grew over
    time: without them PostgreSQL takes the freshly loaded tables for empty and picks plans
    that take minutes (and autovacuum may be off on a test server)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ANALYZE")


def sample_urls(database_url, count=200):
    """Public addresses a reader would fetch, in the proportions readers fetch them."""
    with psycopg.connect(database_url) as connection:

        def column(sql):
            return [row[0] for row in connection.execute(sql)]

        figures = column(
            "SELECT f.slug FROM archive_figure f WHERE f.status <> 'unsourced' ORDER BY random() LIMIT 200"
        )
        articles = column("SELECT slug FROM archive_article WHERE status = 'published' ORDER BY random() LIMIT 200")
        operations = column("SELECT slug FROM archive_operation ORDER BY random() LIMIT 50")
        organisations = column("SELECT slug FROM archive_organisation ORDER BY random() LIMIT 20")
        outlets = column("SELECT slug FROM archive_outlet ORDER BY random() LIMIT 10")
    rng = random.Random(1)
    makers = [
        (5, lambda: "/"),
        (10, lambda: f"/figures/?page={rng.randint(1, 20)}"),
        (8, lambda: f"/figures/?status={rng.choice(['disputed', 'minor', 'consistent', 'single'])}"),
        (5, lambda: f"/figures/?operation={rng.choice(operations)}&measure=cases"),
        (4, lambda: f"/figures/?organisation={rng.choice(organisations)}&outlet={rng.choice(outlets)}"),
        (4, lambda: f"/figures/?q={rng.choice(['ivory', 'waste', 'timber', 'pangolin'])}"),
        (20, lambda: f"/figures/{rng.choice(figures)}/"),
        (8, lambda: f"/claims/?page={rng.randint(1, 50)}"),
        (4, lambda: f"/claims/?outlet={rng.choice(outlets)}&status=disputed"),
        (12, lambda: f"/articles/{rng.choice(articles)}/"),
        (3, lambda: "/articles/"),
        (3, lambda: "/operations/"),
        (6, lambda: f"/operations/{rng.choice(operations)}/"),
        (2, lambda: f"/figures.csv?operation={rng.choice(operations)}"),
        (2, lambda: f"/figures.json?operation={rng.choice(operations)}"),
        (2, lambda: f"/claims.csv?operation={rng.choice(operations)}"),
        (2, lambda: f"/claims.json?operation={rng.choice(operations)}&status=disputed"),
    ]
    weights = [weight for weight, _ in makers]
    return [rng.choices(makers, weights)[0][1]() for _ in range(count)]


def start_gunicorn(env, port):
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 seconds")


def stop(server):
    """gunicorn lets its workers finish their requests, for up to 30 seconds; then it is killed."""
    server.terminate()
    try:
        server.wait(timeout=35)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def kind_of(url):
    path = url.split("?")[0]
    if path.endswith((".csv", ".json")):
        return path.lstrip("/")
    parts = [part for part in path.split("/") if part]
    if not parts:
        return "home"
    return parts[0] + ("/<slug>" if len(parts) > 1 else " list")


def drive(port, urls, clients, seconds):
    stop_at = time.monotonic() + seconds
    results = []  # (kind, status, seconds); list.append is atomic
    errors = Counter()

    def client(number):
        rng = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                results.append((kind_of(url), response.status, time.perf_counter() - started))
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors, time.perf_counter() - started


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(results, errors, elapsed, clients):
    latencies = [seconds for _, _, seconds in results]
    statuses = Counter(status for _, status, _ in results)
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    other = sum(count for status, count in statuses.items() if status != 200 and status < 500)
    print(f"\n{clients} clients, {elapsed:.1f} s, {len(results)} responses")
    print(f"requests per second: {len(results) / elapsed:.1f}")
    print(
        "latency ms: p50 {:.0f}  p90 {:.0f}  p95 {:.0f}  p99 {:.0f}  max {:.0f}".format(
            *(1000 * percentile(latencies, f) for f in (0.5, 0.9, 0.95, 0.99)), 1000 * max(latencies)
        )
    )
    print(f"status codes: {dict(sorted(statuses.items()))}")
    print(f"5xx: {server_errors}   other non-200: {other}   connection errors: {sum(errors.values())} {dict(errors)}")
    by_kind = defaultdict(list)
    for kind, _, seconds in results:
        by_kind[kind].append(seconds)
    print(f"\n{'page':24} {'count':>6} {'p50 ms':>7} {'p90 ms':>7} {'max ms':>7}")
    for kind, values in sorted(by_kind.items()):
        print(
            f"{kind:24} {len(values):6} {1000 * statistics.median(values):7.0f} "
            f"{1000 * percentile(values, 0.9):7.0f} {1000 * max(values):7.0f}"
        )
    return server_errors + sum(errors.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000, help="size of the synthetic archive")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30, help="how long the clients run (at most 300)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep the database from the previous run")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or "load" not in urlparse(database_url).path:
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database this script may drop and recreate, "
            "with a name containing 'load', e.g. postgres://postgres@127.0.0.1:5432/archive_load"
        )
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if not args.reuse:
        print(f"Building the archive: seed data plus {args.claims:,} synthetic claims", flush=True)
        recreate_database(database_url)
        build_archive(env, args.claims)
        analyze(database_url)
    urls = sample_urls(database_url)
    server = start_gunicorn(env, args.port)
    try:
        print(f"Driving {args.clients} clients for {min(args.seconds, 300):.0f} s", flush=True)
        results, errors, elapsed = drive(args.port, urls, args.clients, min(args.seconds, 300))
        failures = report(results, errors, elapsed, args.clients)
    finally:
        stop(server)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
