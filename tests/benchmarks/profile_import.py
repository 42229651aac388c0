"""Where a claims import spends its time, row by row: cProfile of `archive_import claims`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_speed \\
        .venv/bin/python tests/benchmarks/profile_import.py --claims 20000 --setup

Like csv_benchmark.py it EMPTIES THE ARCHIVE TABLES of the database it is given (with --setup,
which writes the synthetic archive of that many claims into --work and loads all but the claims).
Then it imports the claims into an archive without claims and imports the same file again
(every row unchanged), in this process, each under cProfile, and prints for each the wall time,
the time per row and the functions that took it. Django's start-up is not included. Each phase
is timed in wall and in CPU time, which a machine busy with other work inflates much less;
--again imports the file again only, into the archive the last run left.
"""

import argparse
import collections
import contextlib
import cProfile
import functools
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import synthetic  # noqa: E402
from csv_benchmark import empty_archive  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def set_up(work, claims):
    call_command("migrate", verbosity=0)
    empty_archive()
    work.mkdir(parents=True, exist_ok=True)
    sizes = synthetic.generate(work, claims)
    for kind in ("outlets", "organisations", "people", "operations"):
        call_command("archive_import", kind, str(work / f"{kind}.csv"), stdout=io.StringIO())
    synthetic.bulk_load(work)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print("Set up: " + ", ".join(f"{count:,} {kind}" for kind, count in sizes.items()))


PHASES = collections.defaultdict(lambda: [0.0, 0.0])  # phase -> [wall seconds, CPU seconds]


def timed(owner, name, label=None):
    """Add the wall and CPU time of every call of `owner.name` to PHASES[label] (if it has one:
    the script also times earlier versions of the import)."""
    function = getattr(owner, name, None)
    if function is None:
        return

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent = PHASES[label or name]
            spent[0] += time.perf_counter() - start
            spent[1] += time.process_time() - cpu

    setattr(owner, name, wrapper)


def time_phases():
    """Time the import's phases (nested phases are included in their callers' times)."""
    from archive.csv_io import claims
    from archive.management.commands import archive_import

    for name in ("read", "parse", "load", "check", "write", "copy_in", "copy_updates", "copy_history", "analyse"):
        timed(claims.ClaimImport, name)
    timed(claims, "locate", "check: locate")
    timed(claims, "refresh_figures", "refresh figures")
    timed(claims.Flags, "now", "flags")
    timed(claims, "notices")
    timed(archive_import, "refresh_planner_statistics", "ANALYZE after commit")
    copying = getattr(claims, "copying", None)
    if copying is None:
        return

    @contextlib.contextmanager
    def waited_for(cursor, table, *args, **kwargs):
        with copying(cursor, table, *args, **kwargs) as copy:
            yield copy
            start = time.perf_counter()
        PHASES[f"wait for COPY {table}"][0] += time.perf_counter() - start

    claims.copying = waited_for


def backend_cpu():
    """CPU seconds the PostgreSQL backend serving this connection has used (Linux, same machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def profiled(label, rows, path, top, profile):
    PHASES.clear()
    out = io.StringIO()
    profiler = cProfile.Profile() if profile else None
    cpu, database_cpu = time.process_time(), backend_cpu()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    call_command("archive_import", "claims", str(path), stdout=out)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    cpu, database_cpu = time.process_time() - cpu, backend_cpu() - database_cpu
    print(f"\n== {label}: {seconds:.2f} s, {seconds / rows * 1e6:.0f} µs a row: {out.getvalue().splitlines()[0]}")
    print(f"  CPU: Python {cpu:.2f} s ({cpu / rows * 1e6:.0f} µs a row), PostgreSQL {database_cpu:.2f} s")
    print(f"  {'phase':28} {'wall s':>6} {'µs a row':>8} {'CPU s':>6} {'µs a row':>8}")
    for phase, (spent, cpu) in sorted(PHASES.items(), key=lambda item: -item[1][0]):
        print(f"  {phase:28} {spent:6.2f} {spent / rows * 1e6:8.0f} {cpu:6.2f} {cpu / rows * 1e6:8.0f}")
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/profile-import"))
    parser.add_argument("--setup", action="store_true", help="write and load the synthetic archive first")
    parser.add_argument("--top", type=int, default=30, help="functions listed")
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--again", action="store_true", help="only import the file again, every row unchanged")
    options = parser.parse_args()
    time_phases()
    if options.setup:
        set_up(options.work, options.claims)
    path = options.work / "claims.csv"
    for _ in range(options.repeat):
        if options.again:
            profiled("import again, every row unchanged", options.claims, path, options.top, not options.no_profile)
            continue
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE archive_claim, archive_historicalclaim, django_admin_log")
            cursor.execute("TRUNCATE archive_figure_possible_misattributions")
            cursor.execute(
                "UPDATE archive_figure SET status = 'unsourced', source_count = 0, published_claim_count = 0"
            )
        profiled("import into an archive without claims", options.claims, path, options.top, not options.no_profile)
        profiled("import again, every row unchanged", options.claims, path, options.top, not options.no_profile)


if __name__ == "__main__":
    main()
