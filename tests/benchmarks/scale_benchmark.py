"""Server time and queries of every public page, the public downloads and the admin pages as the
archive grows.

    .venv/bin/python tests/benchmarks/scale_benchmark.py [--sizes 0,10000,100000] [--repeat 20]
        [--download-repeat 3] [--prefix archive_scale] [--reuse] [--only REGEX]

For each size it (re)creates a PostgreSQL database of its own (PREFIX_seed, PREFIX_10k,
PREFIX_100k, archive_scale_* by default, on the server POSTGRES_URL names, by default
postgres://postgres@127.0.0.1:5432), loads the seed data and a synthetic archive of that many
claims (synthetic.py), then, in a child process, requests each page in-process with Django's
test client: a few warm-up requests, one counting the queries, then --repeat timed requests
with the cache emptied before each (cold: the page is rendered, as on the first request after
any write) and --repeat without (warm: public pages come from the cache under the data version;
admin pages and exports are never cached). The pages are every public address of the URL
configuration (lists with their filters, sorts, search and last page, each kind of record with
the largest of its kind, record downloads, feeds, sitemaps), checked by
tests/test_scale_benchmark.py. The whole downloads (/claims.csv, /figures.json, ...) take
seconds at 100k: after one request counting the queries, each is timed --download-repeat times.
Streamed responses are read to the end. Server time is measured around the request, so it
excludes the network but includes rendering. Prints, per page and size, the medians and the
cold 95th percentile in milliseconds and the queries of a cold request, and the ratio of each
page's medians at the largest size to those at the smallest, starred over 3x; then the
downloads' times and sizes. --reuse keeps databases built by an earlier run; --only measures the
pages whose name matches the regular expression alone (`--only "atom|sitemap"`).

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
import re
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
TARGET_RATIO = 3  # a page computed afresh at 100k within 3x its time on the seed
# Every public download of a whole list.
DOWNLOADS = [f"/{name}.{kind}" for name in ("claims", "figures", "articles", "operations") for kind in ("csv", "json")]


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
    """(name, address, kind) of every page measured, chosen from the data: kind is "page" (public,
    anonymous), "download" (a whole public CSV or JSON download, timed --download-repeat times)
    or "admin" (signed in). tests/test_scale_benchmark.py checks that the public ones reach every
    public address of the URL configuration."""
    from django.db.models import Count, Q

    from archive.filters import public_claims, public_figures
    from archive.models import Article, Claim, Operation, Outlet
    from archive.sitemaps import RECORDS_PER_PAGE
    from archive.views import ArticleList, ClaimList, FigureList
    from archive.views.outlets import OutletDetail, OutletList, published_outlets

    def last_page(count, per_page):
        return max(1, math.ceil(count / per_page))

    operation = Operation.objects.annotate(n=Count("figures__claims")).order_by("-n", "pk").first()
    article = (
        Article.objects.published()
        .annotate(n=Count("claims", filter=Q(claims__status="published")))
        .order_by("-n", "pk")
        .first()
    )
    figure = public_figures().order_by("-pk").first()
    busiest = public_figures().order_by("-published_claim_count", "pk").first()
    largest = public_claims().values("article__outlet").annotate(n=Count("pk")).order_by("-n", "article__outlet")[0]
    outlet = Outlet.objects.get(pk=largest["article__outlet"])
    claim = Claim.objects.order_by("-pk").first()
    figures = public_figures().count()
    last_figures = last_page(figures, FigureList.paginate_by)
    last_claims = last_page(public_claims().count(), ClaimList.paginate_by)
    last_articles = last_page(Article.objects.published().count(), ArticleList.paginate_by)
    last_outlets = last_page(published_outlets().count(), OutletList.paginate_by)
    last_outlet = last_page(largest["n"], OutletDetail.paginate_by)
    last_sitemap = last_page(figures, RECORDS_PER_PAGE)
    op, figure_url, busiest_url = operation.slug, figure.get_absolute_url(), busiest.get_absolute_url()
    article_url, operation_url = article.get_absolute_url(), operation.get_absolute_url()
    return [
        ("home", "/", "page"),
        ("search ?q=ivory", "/search/?q=ivory", "page"),
        ("figures", "/figures/", "page"),
        ("figures ?operation", f"/figures/?operation={op}", "page"),
        ("figures ?status", "/figures/?status=disputed", "page"),
        ("figures ?outlet", f"/figures/?outlet={outlet.slug}", "page"),
        ("figures ?q=ivory", "/figures/?q=ivory", "page"),
        ("figures ?sort=sources", "/figures/?sort=sources", "page"),
        ("figures last page", f"/figures/?page={last_figures}", "page"),
        ("claims", "/claims/", "page"),
        ("claims ?operation", f"/claims/?operation={op}", "page"),
        ("claims ?status", "/claims/?status=disputed", "page"),
        ("claims ?outlet", f"/claims/?outlet={outlet.slug}", "page"),
        ("claims ?q=ivory", "/claims/?q=ivory", "page"),
        ("claims ?sort=value", "/claims/?sort=value", "page"),
        ("claims last page", f"/claims/?page={last_claims}", "page"),
        ("articles", "/articles/", "page"),
        ("articles ?outlet", f"/articles/?outlet={outlet.slug}", "page"),
        ("articles ?q=ivory", "/articles/?q=ivory", "page"),
        ("articles last page", f"/articles/?page={last_articles}&sort=title", "page"),
        ("operations", "/operations/", "page"),
        ("operations ?q=ivory", "/operations/?q=ivory&sort=name", "page"),
        ("outlets", "/outlets/", "page"),
        ("outlets last page", f"/outlets/?page={last_outlets}", "page"),
        (f"outlet (largest, {largest['n']} claims)", outlet.get_absolute_url(), "page"),
        ("outlet last page", f"{outlet.get_absolute_url()}?page={last_outlet}", "page"),
        ("methodology", "/methodology/", "page"),
        ("figure newest", figure_url, "page"),
        (f"figure most claims ({busiest.published_claim_count} claims)", busiest_url, "page"),
        (f"article ({article.n} claims)", article_url, "page"),
        (f"operation (largest, {operation.n} claims)", operation_url, "page"),
        ("figure.csv most claims", f"{busiest_url.rstrip('/')}.csv", "page"),
        ("figure.json most claims", f"{busiest_url.rstrip('/')}.json", "page"),
        ("article.csv", f"{article_url.rstrip('/')}.csv", "page"),
        ("article.json", f"{article_url.rstrip('/')}.json", "page"),
        ("operation.csv largest", f"{operation_url.rstrip('/')}.csv", "page"),
        ("operation.json largest", f"{operation_url.rstrip('/')}.json", "page"),
        ("figures.csv ?operation", f"/figures.csv?operation={op}", "page"),
        ("claims.json ?operation&status", f"/claims.json?operation={op}&status=disputed", "page"),
        ("feed.atom", "/feed.atom", "page"),
        ("figure.atom most claims", f"{busiest_url.rstrip('/')}.atom", "page"),
        ("operation.atom largest", f"{operation_url.rstrip('/')}.atom", "page"),
        ("sitemap.xml", "/sitemap.xml", "page"),
        ("sitemap-pages.xml", "/sitemap-pages.xml", "page"),
        ("sitemap-figures.xml", "/sitemap-figures.xml", "page"),
        ("sitemap-figures.xml last page", f"/sitemap-figures.xml?p={last_sitemap}", "page"),
        ("sitemap-articles.xml", "/sitemap-articles.xml", "page"),
        ("sitemap-operations.xml", "/sitemap-operations.xml", "page"),
        ("sitemap-outlets.xml", "/sitemap-outlets.xml", "page"),
        ("robots.txt", "/robots.txt", "page"),
        *[(address.lstrip("/"), address, "download") for address in DOWNLOADS],
        ("admin claims", "/admin/archive/claim/", "admin"),
        ("admin claims filtered", "/admin/archive/claim/?status__exact=published&figure_status=disputed", "admin"),
        ("admin claims ?q=ivory", "/admin/archive/claim/?q=ivory", "admin"),
        ("admin articles", "/admin/archive/article/", "admin"),
        ("admin articles filtered", "/admin/archive/article/?status__exact=published&outlet__id__exact=1", "admin"),
        ("admin articles ?q=seizures", "/admin/archive/article/?q=seizures", "admin"),
        ("admin claim change", f"/admin/archive/claim/{claim.pk}/change/", "admin"),
    ]


def fetch(client, url):
    """The bytes of the response, read to the end."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def timed(client, url, repeat, before):
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        fetch(client, url)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return {"median": statistics.median(times), "p95": p95, "max": times[-1]}


def measure(repeat, download_repeat, only=None):
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
    for name, url, kind in pages():
        if only and not re.search(only, name):
            continue
        client = editor if kind == "admin" else anonymous
        # A whole download takes seconds at 100k and is never cached: its first request, the one
        # counting the queries, is its warm-up, and it is timed --download-repeat times.
        for _ in range(0 if kind == "download" else 2):
            cache.clear()
            fetch(client, url)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            size = fetch(client, url)
        row = {"name": name, "url": url, "kind": kind, "queries": len(queries), "bytes": size}
        if kind == "download":
            row["cold"] = timed(client, url, download_repeat, cache.clear)
            row["warm"] = None
        else:
            # Cold: every request renders the page (as the first after a write does); warm: the
            # same page again under the same data version, served from the cache.
            row["cold"] = timed(client, url, repeat, cache.clear)
            row["warm"] = timed(client, url, repeat, lambda: None)
        results[name.split(" (")[0]] = row
        warm = f"{row['warm']['median']:6.1f} ms" if row["warm"] else "     -   "
        print(
            f"  {name:34} cold {row['cold']['median']:8.1f} ms, warm {warm}, {row['queries']:3} queries",
            file=sys.stderr,
            flush=True,
        )
    return results


def child(mode, size, options):
    setup_django()
    if mode == "build":
        build(size)
    else:
        print(json.dumps(measure(options.repeat, options.download_repeat, options.only)))


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


def run_child(mode, size, options, env):
    command = [sys.executable, __file__, "--child", mode, "--sizes", str(size)]
    command += ["--repeat", str(options.repeat), "--download-repeat", str(options.download_repeat)]
    if options.only:
        command += ["--only", options.only]
    done = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="0,10000,100000", help="claims in the synthetic archive, 0 for the seed alone"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page, cold and warm")
    parser.add_argument("--download-repeat", type=int, default=3, help="timed requests per whole download")
    parser.add_argument(
        "--prefix", default="archive_scale", help="databases are named PREFIX_seed, PREFIX_10k, PREFIX_100k"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the databases an earlier run built")
    parser.add_argument("--only", metavar="REGEX", help="measure only the pages whose name matches")
    parser.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    if options.child:
        return child(options.child, sizes[0], options)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", options.prefix):
        raise SystemExit("--prefix takes lowercase letters, digits and underscores.")
    if options.only:
        try:
            re.compile(options.only)
        except re.error as error:
            raise SystemExit(f"--only is not a regular expression: {error}") from None

    server = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    if urlparse(server).scheme not in ("postgres", "postgresql"):
        raise SystemExit("POSTGRES_URL must name a PostgreSQL server.")
    results = {}
    for size in sizes:
        name = f"{options.prefix}_{label_of(size)}"
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
            run_child("build", size, options, env)
            print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        print(f"Measuring {name}", file=sys.stderr, flush=True)
        results[size] = json.loads(run_child("measure", size, options, env))
    report(sizes, results, options)


def report(sizes, results, options):
    first, last = sizes[0], sizes[-1]
    ratio_label = f"{label_of(last)}/{label_of(first)}"
    keys = list(results[first])
    pages = [key for key in keys if results[first][key]["kind"] != "download"]
    downloads = [key for key in keys if results[first][key]["kind"] == "download"]
    print(f"\nServer time in ms over {options.repeat} requests: cold = rendered afresh (the cache emptied before")
    print("each request), warm = served from the cache under the same data version; q = queries of a cold")
    print(f"request; * = computed afresh in over {TARGET_RATIO:g}x the {label_of(first)} time, the target. Exports")
    print("and admin pages are never cached.")
    heading = "".join(f" | {label_of(size):>5} cold med  p95 warm med   q" for size in sizes)
    print(f"{'page':34}{heading} | cold {ratio_label} warm {ratio_label}")
    for key in pages:
        cells = ""
        for size in sizes:
            row = results[size][key]
            cold, warm = row["cold"], row["warm"]
            cells += f" | {cold['median']:14.1f} {cold['p95']:4.0f} {warm['median']:8.1f} {row['queries']:3}"
        cold = results[last][key]["cold"]["median"] / results[first][key]["cold"]["median"]
        warm = results[last][key]["warm"]["median"] / results[first][key]["warm"]["median"]
        cold = f"{cold:5.1f}{' *' if cold > TARGET_RATIO else '  '}"
        warm = f"{warm:5.1f}  "
        print(f"{results[last][key]['name'][:34]:34}{cells} | {cold:>13} {warm:>13}")
    if not downloads:
        return
    print(f"\nWhole downloads, streamed and never cached: median and slowest of {options.download_repeat} in")
    print("seconds, size in MB, queries; they grow with their rows, so the ratio is not held to the target")
    heading = "".join(f" | {label_of(size):>5} median  max     MB   q" for size in sizes)
    print(f"{'download':34}{heading} | {ratio_label}")
    for key in downloads:
        cells = ""
        for size in sizes:
            row = results[size][key]
            cells += (
                f" | {row['cold']['median'] / 1000:12.2f} {row['cold']['max'] / 1000:4.1f}"
                f" {row['bytes'] / 1e6:6.2f} {row['queries']:3}"
            )
        print(f"{key:34}{cells} | {results[last][key]['cold']['median'] / results[first][key]['cold']['median']:7.0f}")


if __name__ == "__main__":
    main()
