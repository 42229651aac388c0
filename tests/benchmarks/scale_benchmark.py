"""Server time and queries of the public and admin pages as the archive grows.

    .venv/bin/python tests/benchmarks/scale_benchmark.py [--sizes 0,10000,100000] [--repeat 20] [--reuse]

For each size it (re)creates a PostgreSQL database of its own (archive_scale_seed,
archive_scale_10k, archive_scale_100k on the server POSTGRES_URL names, by default
postgres://postgres@127.0.0.1:5432), loads the seed data and a synthetic archive of that many
claims (synthetic.py), then, in a child process, requests each page in-process with Django's
test client: a few warm-up requests, one counting the queries, then --repeat timed requests
with the cache emptied before each (cold: the page is rendered, as on the first request after
any write) and --repeat without (warm: public pages come from the cache under the data version;
admin pages and exports are never cached). Streamed responses are read to the end. Server time
is measured around the request, so it excludes the network but includes rendering. Prints, per
page and size, the medians and the cold 95th percentile in milliseconds and the queries of a
cold request, and the ratio of each page's medians at the largest size to those on the seed data.
--reuse keeps databases built by an earlier run.

Articles and figures are inserted in bulk (the synthetic rows pass the model's checks; importing
them through `archive_import` validates them one by one and takes many minutes); everything else,
claims included, goes through `archive_import`. So that one operation has thousands of claims, as
a large operation would, the figures of the first synthetic operations are moved to the first.
Machines are shared: compare the ratios of one run rather than times across runs.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
KINDS = ["outlets", "organisations", "people", "operations"]
MERGED_OPERATIONS = 4  # synthetic operations of 500 claims each, moved into the first


def label_of(size):
    return "seed" if size == 0 else f"{size // 1000}k"


# ---------------------------------------------------------------------------- child process


def setup_django():
    sys.path[:0] = [str(ROOT), str(HERE)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def build(size):
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_seed", verbosity=0)
    if size:
        import synthetic

        with tempfile.TemporaryDirectory() as directory:
            work = Path(directory)
            synthetic.generate(work, claims=size)
            for kind in KINDS:
                call_command("archive_import", kind, str(work / f"{kind}.csv"), verbosity=0)
            # The first operation takes the figures of a few others: one operation with thousands of claims.
            synthetic.bulk_load(work, {f"operation-{i:03d}": "operation-000" for i in range(1, MERGED_OPERATIONS)})
            call_command("archive_import", "claims", str(work / "claims.csv"), verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def pages():
    """(name, address, logged in) of every page measured, chosen from the data."""
    from django.db.models import Count, Q

    from archive.filters import public_claims, public_figures
    from archive.models import Article, Claim, Operation
    from archive.views import ClaimList, FigureList

    operation = Operation.objects.annotate(n=Count("figures__claims")).order_by("-n", "pk").first()
    article = (
        Article.objects.published()
        .annotate(n=Count("claims", filter=Q(claims__status="published")))
        .order_by("-n", "pk")
        .first()
    )
    figure = public_figures().order_by("-pk").first()
    claim = Claim.objects.order_by("-pk").first()
    last_figures = max(1, math.ceil(public_figures().count() / FigureList.paginate_by))
    last_claims = max(1, math.ceil(public_claims().count() / ClaimList.paginate_by))
    op = operation.slug
    return [
        ("home", "/", False),
        ("figures", "/figures/", False),
        ("figures ?operation", f"/figures/?operation={op}", False),
        ("figures ?status", "/figures/?status=disputed", False),
        ("figures ?q=ivory", "/figures/?q=ivory", False),
        ("figures ?sort=sources", "/figures/?sort=sources", False),
        ("figures last page", f"/figures/?page={last_figures}", False),
        ("claims", "/claims/", False),
        ("claims ?operation", f"/claims/?operation={op}", False),
        ("claims ?status", "/claims/?status=disputed", False),
        ("claims ?q=ivory", "/claims/?q=ivory", False),
        ("claims ?sort=value", "/claims/?sort=value", False),
        ("claims last page", f"/claims/?page={last_claims}", False),
        ("articles", "/articles/", False),
        ("operations", "/operations/", False),
        ("figure", figure.get_absolute_url(), False),
        (f"article ({article.n} claims)", article.get_absolute_url(), False),
        ("operation (largest)", operation.get_absolute_url(), False),
        ("figures.csv ?operation", f"/figures.csv?operation={op}", False),
        ("claims.json ?operation&status", f"/claims.json?operation={op}&status=disputed", False),
        ("admin claims", "/admin/archive/claim/", True),
        ("admin claims filtered", "/admin/archive/claim/?status__exact=published&figure_status=disputed", True),
        ("admin claims ?q=ivory", "/admin/archive/claim/?q=ivory", True),
        ("admin articles", "/admin/archive/article/", True),
        ("admin articles filtered", "/admin/archive/article/?status__exact=published&outlet__id__exact=1", True),
        ("admin articles ?q=seizures", "/admin/archive/article/?q=seizures", True),
        ("admin claim change", f"/admin/archive/claim/{claim.pk}/change/", True),
    ]


def fetch(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if response.streaming:
        b"".join(response.streaming_content)


def timed(client, url, repeat, before):
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        fetch(client, url)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return {"median": statistics.median(times), "p95": times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]}


def measure(repeat):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    call_command("collectstatic", "--noinput", verbosity=0)  # debug off serves hashed names from the manifest
    setup_test_environment()
    admin = get_user_model().objects.filter(username="benchmark-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("benchmark-admin", "", None)
    anonymous, editor = Client(), Client()
    editor.force_login(admin)
    results = {}
    for name, url, logged_in in pages():
        client = editor if logged_in else anonymous
        for _ in range(2):
            cache.clear()
            fetch(client, url)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            fetch(client, url)
        row = {"name": name, "url": url, "queries": len(queries)}
        # Cold: every request renders the page (as the first after a write does); warm: the
        # same page again under the same data version, served from the cache.
        row["cold"] = timed(client, url, repeat, cache.clear)
        row["warm"] = timed(client, url, repeat, lambda: None)
        results[name.split(" (")[0]] = row
        print(
            f"  {name:34} cold {row['cold']['median']:8.1f} ms, warm {row['warm']['median']:6.1f} ms, "
            f"{row['queries']:3} queries",
            file=sys.stderr,
            flush=True,
        )
    return results


def child(mode, size, repeat):
    setup_django()
    if mode == "build":
        build(size)
    else:
        print(json.dumps(measure(repeat)))


# ---------------------------------------------------------------------------- parent process


def recreate_database(server, name):
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def database_exists(server, name):
    import psycopg

    with psycopg.connect(f"{server}/postgres") as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def run_child(mode, size, repeat, env):
    command = [sys.executable, __file__, "--child", mode, "--sizes", str(size), "--repeat", str(repeat)]
    done = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="0,10000,100000", help="claims in the synthetic archive, 0 for the seed alone"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--reuse", action="store_true", help="keep the databases an earlier run built")
    parser.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    if options.child:
        return child(options.child, sizes[0], options.repeat)

    server = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    if urlparse(server).scheme not in ("postgres", "postgresql"):
        raise SystemExit("POSTGRES_URL must name a PostgreSQL server.")
    results = {}
    for size in sizes:
        name = f"archive_scale_{label_of(size)}"
        env = {
            **os.environ,
            "DATABASE_URL": f"{server}/{name}",
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_SECRET_KEY": "benchmark-only-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_LOG_LEVEL": "ERROR",
        }
        if not (options.reuse and database_exists(server, name)):
            print(f"Building {name}: the seed data and {size:,} synthetic claims", file=sys.stderr, flush=True)
            started = time.perf_counter()
            recreate_database(server, name)
            run_child("build", size, options.repeat, env)
            print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        print(f"Measuring {name}", file=sys.stderr, flush=True)
        results[size] = json.loads(run_child("measure", size, options.repeat, env))
    report(sizes, results, options.repeat)


def report(sizes, results, repeat):
    first, last = sizes[0], sizes[-1]
    ratio_label = f"{label_of(last)}/{label_of(first)}"
    print(f"\nServer time in ms over {repeat} requests: cold = rendered afresh (the cache emptied before each")
    print("request), warm = served from the cache under the same data version; q = queries of a cold request")
    heading = "".join(f" | {label_of(size):>5} cold med  p95 warm med   q" for size in sizes)
    print(f"{'page':30}{heading} | cold {ratio_label} warm {ratio_label}")
    for key in results[first]:
        cells = ""
        for size in sizes:
            row = results[size][key]
            cold, warm = row["cold"], row["warm"]
            cells += f" | {cold['median']:14.1f} {cold['p95']:4.0f} {warm['median']:8.1f} {row['queries']:3}"
        cold = results[last][key]["cold"]["median"] / results[first][key]["cold"]["median"]
        warm = results[last][key]["warm"]["median"] / results[first][key]["warm"]["median"]
        print(f"{results[last][key]['name'][:30]:30}{cells} | {cold:13.1f} {warm:13.1f}")


if __name__ == "__main__":
    main()
