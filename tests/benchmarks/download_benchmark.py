"""The public downloads against the command-line export of the same claims.

    .venv/bin/python tests/benchmarks/download_benchmark.py [--claims 100000] [--repeat 5] [--reuse]

Builds (or with --reuse keeps) the PostgreSQL database `archive_downloads_<N>` (or --database)
on the server POSTGRES_URL names (by default postgres://postgres@127.0.0.1:5432): the seed data
and N synthetic claims, as scale_benchmark.py builds them. Then, in one process, it times `archive_export claims`
to a file and each download through Django's test client, read to the end, interleaved and
--repeat times, and prints the medians, each download's ratio to the command-line export and the
peak memory the process grew by while streaming it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale_benchmark  # noqa: E402

DOWNLOADS = ["/claims.csv", "/claims.json", "/figures.csv", "/figures.json", "/articles.csv", "/operations.csv"]


def measure(repeat, downloads):
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
    times = {name: [] for name in jobs}
    for job in jobs.values():
        job()  # warm-up
    for _ in range(repeat):
        for name, job in jobs.items():
            started = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - started)
    peaks = {}
    for url in downloads:
        tracemalloc.start()
        download(url)()
        peaks[url] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(f"{public_claims().count():,} published claims; medians of {repeat} runs, interleaved")
    base = statistics.median(times["archive_export claims"])
    for name, spent in times.items():
        median = statistics.median(spent)
        peak = f"   peak {peaks[name]:6.1f} MB (traced)" if name in peaks else ""
        print(f"  {name:24} {median:7.2f} s   {median / base:5.2f}x the export{peak}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database an earlier run built")
    parser.add_argument("--downloads", default=",".join(DOWNLOADS), help="the addresses to time, by commas")
    parser.add_argument("--database", help="its name; archive_downloads_<claims> when omitted")
    parser.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "build":
        scale_benchmark.setup_django()
        return scale_benchmark.build(options.claims)
    if options.child == "measure":
        scale_benchmark.setup_django()
        return measure(options.repeat, options.downloads.split(","))

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
    if not (options.reuse and scale_benchmark.database_exists(server, name)):
        print(f"Building {name}", file=sys.stderr, flush=True)
        scale_benchmark.recreate_database(server, name)
        subprocess.run([sys.executable, __file__, "--child", "build", *arguments], env=env, check=True)
    subprocess.run([sys.executable, __file__, "--child", "measure", *arguments], env=env, check=True)


if __name__ == "__main__":
    main()
