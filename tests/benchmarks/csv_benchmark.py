"""How fast `archive_import` and `archive_export` move claims, against PostgreSQL's own COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_csv .venv/bin/python tests/benchmarks/csv_benchmark.py

It migrates the database DATABASE_URL names and EMPTIES ITS ARCHIVE TABLES: give it a database
of its own. It writes a synthetic archive (synthetic.py: 5,000 articles, 200 operations,
20,000 figures and 100,000 claims at full size; --claims scales them all) and loads everything
but the claims: the small kinds through `archive_import`, the articles and figures with
bulk inserts, because those two go through the model's full validation and `save()` row by
row, tens of rows a second (--import-everything imports them too, and times it). Then it
measures, each command in a child process of its own:

- importing a quarter of the claims, then all of them, into an archive without claims;
- exporting them again (and checks the export is byte for byte the file imported);
- importing the same file once more, when every row is unchanged;
- at 10,000 and 50,000 rows: importing that many claims into an archive without claims, then
  the same rows with a changed note, so each one updates its claim;
- as the reference, PostgreSQL's COPY of the same file into a bare table, and COPY TO out of it.

Peak memory is the child's maximum resident set size; the quarter-size runs show whether it
grows with the number of rows. Times are wall-clock and include starting Django (shown apart).

With --again FILE it builds nothing and empties nothing: it times COPY of FILE and importing FILE
into the archive as it is (a file the archive holds already, so every row is unchanged),
alternately, --repeat times: the unchanged re-import alone, quick enough to repeat while the
machine is quiet.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()


import synthetic  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

ARCHIVE_TABLES = [
    "archive_claim",
    "archive_figure_possible_misattributions",
    "archive_figure",
    "archive_article",
    "archive_operationalias",
    "archive_operation_coordinators",
    "archive_operation",
    "archive_person",
    "archive_organisation",
    "archive_outlet",
]
UPDATE_SIZES = (10_000, 50_000)


# Runs the command and reports its peak memory. A child reports at least the resident size of
# the process it was forked from, so the command is started from this small launcher rather
# than from the benchmark, which holds the synthetic archive in memory.
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status), cpu, file=sys.stderr)
"""


CPU = []  # the CPU seconds of each command's process, in order (PostgreSQL's work is not counted)


def manage(*args, check=True):
    """Run a management command in a child process: (seconds, peak resident MB, stdout); its
    CPU seconds go to CPU, which tells how much of its time was waiting on a busy machine."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        command = [sys.executable, "-c", LAUNCHER, sys.executable, str(ROOT / "manage.py"), *args]
        subprocess.run(command, stdout=out, stderr=err, check=True)
        out.seek(0)
        err.seek(0)
        *errors, report = err.read().splitlines()
        seconds, peak_kb, code, cpu = report.split()
        CPU.append(float(cpu))
        if check and int(code):
            sys.exit(f"manage.py {' '.join(args)} failed:\n" + "\n".join(errors[-40:]))
        return float(seconds), int(peak_kb) / 1024, out.read()


def empty_archive():
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(ARCHIVE_TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("TRUNCATE archive_historicalclaim, django_admin_log")


def first_claims(claims_file, count, created_file, changed_file):
    """The first `count` claims of the file, as they are and with a note that changes each one."""
    with (
        open(claims_file, newline="", encoding="utf-8") as file,
        open(created_file, "w", newline="", encoding="utf-8") as created,
        open(changed_file, "w", newline="", encoding="utf-8") as changed,
    ):
        reader, as_is, revised = csv.reader(file), csv.writer(created), csv.writer(changed)
        header = next(reader)
        note = header.index("note")
        as_is.writerow(header)
        revised.writerow(header)
        for _, row in zip(range(count), reader, strict=False):
            as_is.writerow(row)
            revised.writerow([*row[:note], "Revised after the benchmark's check.", *row[note + 1 :]])


def copy_reference(claims_file, out_file, repeat=3):
    """Best of `repeat` COPY FROM the claims file into a bare table, and COPY TO a file."""
    copy_in, copy_out = [], []
    with connection.cursor() as cursor:
        with open(claims_file, newline="", encoding="utf-8") as file:
            header = next(csv.reader(file))
        kinds = ", ".join(f"{name} {'numeric' if name.startswith('value') else 'text'}" for name in header)
        cursor.execute(f"DROP TABLE IF EXISTS copy_reference; CREATE TABLE copy_reference ({kinds})")
        for _ in range(repeat):
            cursor.execute("TRUNCATE copy_reference")
            start = time.perf_counter()
            with (
                open(claims_file, "rb") as file,
                cursor.cursor.copy("COPY copy_reference FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while data := file.read(1 << 20):
                    copy.write(data)
            copy_in.append(time.perf_counter() - start)
        for _ in range(repeat):
            start = time.perf_counter()
            with (
                open(out_file, "wb") as file,
                cursor.cursor.copy("COPY copy_reference TO STDOUT (FORMAT csv, HEADER true)") as copy,
            ):
                for data in copy:
                    file.write(data)
            copy_out.append(time.perf_counter() - start)
        cursor.execute("DROP TABLE copy_reference")
    return min(copy_in), min(copy_out)


def import_again(claims_file, repeat):
    startup, _, _ = manage("archive_export", "outlets", os.devnull)
    print(f"Starting Django and exporting the outlets alone takes {startup:.2f} s.")
    for _ in range(repeat):
        copy_in, _ = copy_reference(claims_file, os.devnull, repeat=1)
        seconds, peak, output = manage("archive_import", "claims", str(claims_file))
        print(
            f"COPY {copy_in:.3f} s; import again {seconds:.2f} s = {seconds / copy_in:.1f} x COPY "
            f"({max(seconds - startup, 0.001) / copy_in:.1f} x without start-up), CPU {CPU[-1]:.2f} s, {peak:.0f} MB, "
            f"load {os.getloadavg()[0]:.1f}: {output.splitlines()[0]}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000, help="claims to import (the archive scales with it)")
    parser.add_argument("--import-everything", action="store_true", help="import the articles and figures too")
    parser.add_argument("--again", type=Path, metavar="FILE", help="only re-import FILE, which the archive holds")
    parser.add_argument("--repeat", type=int, default=3, help="with --again: how many times")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark compares with PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL database of its own.")
    if options.again:
        return import_again(options.again, options.repeat)

    call_command("migrate", verbosity=0)
    empty_archive()
    work = Path(tempfile.mkdtemp(prefix="csv-benchmark-"))
    sizes = synthetic.generate(work, options.claims)
    print(f"Synthetic archive in {work}: " + ", ".join(f"{count:,} {kind}" for kind, count in sizes.items()))
    imported = ["outlets", "organisations", "people", "operations"]
    if options.import_everything:
        imported += ["articles", "figures"]
    for kind in imported:
        seconds, peak, _ = manage("archive_import", kind, str(work / f"{kind}.csv"))
        rate = sizes[kind] / seconds
        print(f"  set-up: imported {sizes[kind]:,} {kind} in {seconds:.1f} s ({rate:,.0f} rows/s, {peak:.0f} MB)")
    if not options.import_everything:
        start = time.perf_counter()
        synthetic.bulk_load(work)
        print(f"  set-up: inserted the articles and figures in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have, in an archive that grew over time

    claims_file = work / "claims.csv"
    quarter_file = work / "claims-quarter.csv"
    quarter = options.claims // 4
    # Records may span lines; every claim record here starts with its article key.
    with open(claims_file, "rb") as file, open(quarter_file, "wb") as out:
        records = 0
        for line in file:
            records += line.startswith(b"article-")
            if records > quarter:
                break
            out.write(line)

    copy_in, copy_out = copy_reference(claims_file, work / "copy-out.csv")
    startup, startup_mb, _ = manage("archive_export", "outlets", str(work / "outlets-out.csv"))

    results = []
    for label, count, source in (("quarter", quarter, quarter_file), ("all", options.claims, claims_file)):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE archive_claim, archive_historicalclaim, django_admin_log")
        seconds, peak, output = manage("archive_import", "claims", str(source))
        results.append((f"import {label}", count, seconds, peak, copy_in * count / options.claims, output, CPU[-1]))
        exported = work / f"claims-{label}-out.csv"
        seconds, peak, _ = manage("archive_export", "claims", str(exported))
        results.append((f"export {label}", count, seconds, peak, copy_out * count / options.claims, "", CPU[-1]))
        identical = exported.read_bytes() == source.read_bytes()
        print(f"  export of {label} identical to the file imported: {'yes' if identical else 'NO'}")
    seconds, peak, output = manage("archive_import", "claims", str(claims_file))
    results.append(("import again (unchanged)", options.claims, seconds, peak, copy_in, output, CPU[-1]))
    for count in (size for size in UPDATE_SIZES if size <= options.claims):
        created, changed = work / f"claims-{count}.csv", work / f"claims-{count}-changed.csv"
        first_claims(claims_file, count, created, changed)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE archive_claim, archive_historicalclaim, django_admin_log")
        reference = copy_in * count / options.claims
        for label, source in ((f"create {count:,}", created), (f"update {count:,}", changed)):
            seconds, peak, output = manage("archive_import", "claims", str(source))
            results.append((label, count, seconds, peak, reference, output, CPU[-1]))

    print()
    print(f"Starting Django and exporting the outlets alone takes {startup:.2f} s ({startup_mb:.0f} MB).")
    print(f"COPY FROM of {options.claims:,} claims: {copy_in:.3f} s ({options.claims / copy_in:,.0f} rows/s)")
    print(f"COPY TO   of {options.claims:,} claims: {copy_out:.3f} s ({options.claims / copy_out:,.0f} rows/s)")
    print()
    header = (
        f"{'':26} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8} {'x COPY':>7} {'x COPY*':>8} {'CPU s':>6}"
    )
    print(header)
    print("-" * len(header))
    for label, count, seconds, peak, reference, _, cpu in results:
        print(
            f"{label:26} {count:8,} {seconds:8.2f} {count / seconds:8,.0f} {peak:8.0f} {seconds / reference:7.1f}"
            f" {max(seconds - startup, 0.001) / reference:8.1f} {cpu:6.1f}"
        )
    print()
    print("x COPY: wall time over COPY's for as many rows; x COPY*: the same without Django's start-up time.")
    print(
        "CPU s: the command's own CPU time, not PostgreSQL's; the rest of its wall time it waited, on"
        " PostgreSQL or on the machine."
    )
    print(
        "Targets: import within 20 x COPY and an unchanged file within 10 x COPY (issue 11), export within"
        " 5 x COPY TO, peak memory under 300 MB and flat."
    )
    for label, *_, output, _ in results:
        if output:
            print(f"{label}: {output.splitlines()[0]}")


if __name__ == "__main__":
    main()
