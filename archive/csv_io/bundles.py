"""CSV bundles: several files of different kinds (or one .zip of them) imported as one.

Each file's kind is told by its name (`outlets.csv`, `articles-2019.csv`: the name starts with
the kind) or, when the name does not say, by its header (the one kind whose import accepts it).
The files are imported in the order of `RESOURCES` (outlets first, claims last), each by its
kind's own import, all inside one transaction: a file sees the rows its siblings wrote before
it, and any problem in any file, or a dry run, rolls every file back. docs/csv.md describes it.
"""

import csv
import dataclasses
import io
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field

from django.db import router, transaction

from archive.models import lock_imports

from .files import log_rows, read_rows
from .reading import ImportRefused, Problem
from .report import ImportReport
from .resources import RESOURCES

KINDS = list(RESOURCES)  # the order the files are imported in: each kind refers only to kinds before it
MAX_MEMBERS = 100
# A zip's files are read to their end before anything is imported; this bounds what a small zip
# that expands enormously (a "zip bomb") can make the command write to disk. The admin's bound is
# its upload limit.
MAX_UNZIPPED_MB = 2048
SPOOL_BYTES = 8 * 1024 * 1024
COPY_CHUNK = 1024 * 1024
HEADER_BYTES = 64 * 1024


class BundleRefused(Exception):
    """The bundle cannot be read as a whole (a file of no kind, a zip with folders...); nothing was
    imported. `problems` says why, each naming its file."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class BundleFile:
    name: str
    stream: object  # binary, seekable, at its start
    kind: str | None = None


def problem_with(file, message):
    return Problem(None, None, message, file=file)


def open_bundle(sources, max_unzipped_mb=None, instead="import it in parts"):
    """The CSV files of `sources`, [(name, binary stream)], each zip among them expanded, each with
    its kind, in the order they import in; or BundleRefused naming every file it cannot take.
    `instead`: what to do with a zip that unzips to more than `max_unzipped_mb`."""
    files, problems = [], []
    max_unzipped_mb = max_unzipped_mb or MAX_UNZIPPED_MB
    for name, stream in sources:
        if name.lower().endswith(".zip"):
            try:
                files.extend(unzipped(name, stream, max_unzipped_mb, instead))
            except BundleRefused as refusal:
                problems.extend(refusal.problems)
        elif name.lower().endswith(".csv"):
            files.append(BundleFile(name, stream))
        else:
            problems.append(problem_with(name, "a bundle holds CSV files (.csv) and zips of them (.zip), nothing else"))
    names = [file.name for file in files]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(
            problem_with(name, "the bundle has two files of this name: rename one, so that each problem names one file")
        )
    if not files and not problems:
        problems.append(problem_with(None, "The bundle holds no CSV file: there is nothing to import."))
    for file in files:
        file.kind = kind_of(file)
        if file.kind is None:
            problems.append(
                problem_with(
                    file.name,
                    "cannot tell which kind of rows this file holds, from its name or from its header: name it "
                    f"after its kind ({', '.join(f'{kind}.csv' for kind in KINDS)}, or for instance "
                    "articles-2019.csv)",
                )
            )
    if problems:
        raise BundleRefused(problems)
    return sorted(files, key=lambda file: (KINDS.index(file.kind), file.name))


def kind_of(file):
    """The kind the file's name starts with (followed by anything but a letter), else the one kind
    whose import accepts its header, else None."""
    stem = file.name.rsplit(".", 1)[0].lower()
    named = [kind for kind in KINDS if re.match(rf"{kind}(?![a-z])", stem)]
    if named:
        return named[0]
    header = header_of(file.stream)
    fitting = [kind for kind, resource in RESOURCES.items() if header and not resource.check_header(header)]
    return fitting[0] if len(fitting) == 1 else None


def header_of(stream):
    """The first row of a binary CSV stream, read from its first bytes; the stream is left at its
    start. Only to tell its kind: the import reads the file again, checking everything."""
    start = stream.read(HEADER_BYTES)
    stream.seek(0)
    try:
        return next(csv.reader(io.StringIO(start.decode("utf-8-sig", errors="replace"), newline="")), [])
    except csv.Error:
        return []


def unzipped(name, stream, max_unzipped_mb, instead):
    """The CSV files of a zip, each copied out to a temporary file (in memory while small), after
    checking that the zip holds only CSV files, at its top level, within the size bounds."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, OSError):
        raise BundleRefused(
            [problem_with(name, "this is not a zip file that can be read: zip the CSV files again")]
        ) from None
    problems = []
    if len(members) > MAX_MEMBERS:
        problems.append(
            problem_with(
                name, f"this zip holds {len(members):,} files; a bundle holds at most {MAX_MEMBERS}: import it in parts"
            )
        )
    for member in members[:MAX_MEMBERS]:
        path = member.filename
        if member.is_dir() or re.search(r"[/\\]", path) or path.startswith("..") or ":" in path:
            problems.append(
                problem_with(
                    name,
                    f"“{path}” is in a folder: a bundle's zip holds its CSV files at its top level, with no folders "
                    "(zip the files themselves, not the folder they are in)",
                )
            )
        elif member.flag_bits & 0x1:
            problems.append(problem_with(name, f"“{path}” is encrypted: zip the files without a password"))
        elif not path.lower().endswith(".csv"):
            problems.append(problem_with(name, f"“{path}” is not a CSV file: a bundle's zip holds only .csv files"))
    unzipped_bytes = sum(member.file_size for member in members)
    if unzipped_bytes > max_unzipped_mb * 1024 * 1024:
        problems.append(
            problem_with(
                name,
                f"this zip's files come to {unzipped_bytes / (1024 * 1024):,.1f} MB once unzipped; a bundle "
                f"takes at most {max_unzipped_mb:,} MB here: {instead}",
            )
        )
    if problems:
        raise BundleRefused(problems)
    files = []
    for member in members:
        copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by whoever imports it)
        try:
            # zipfile never gives more bytes than the member declares, and checks them against its CRC.
            with archive.open(member) as data:
                shutil.copyfileobj(data, copy, COPY_CHUNK)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, zlib.error) as error:
            raise BundleRefused(
                [problem_with(name, f"“{member.filename}” cannot be unzipped ({error}): zip the CSV files again")]
            ) from None
        copy.seek(0)
        files.append(BundleFile(member.filename, copy))
    return files


@dataclass
class FileReport:
    name: str
    kind: str
    result: ImportReport | None = None  # None when the file could not be read
    problems: list = field(default_factory=list)

    def summary(self):
        return f"{self.name}: {self.result.summary(self.kind)}" if self.result else f"{self.name}: not read"


@dataclass
class BundleReport:
    files: list = field(default_factory=list)
    refused: str = ""  # why the whole bundle was refused before any file was imported

    @property
    def problems(self):
        return [problem for report in self.files for problem in report.problems] + (
            [problem_with(None, self.refused)] if self.refused else []
        )

    @property
    def notices(self):
        return [notice for report in self.files if report.result for notice in report.result.notices]

    def later_files_note(self):
        """Why a later file may report rows of an earlier one as not found, when it may."""
        first = next((index for index, report in enumerate(self.files) if report.problems), None)
        if first is not None and first < len(self.files) - 1:
            return (
                f"The files after {self.files[first].name} were checked without the rows of the files with "
                "problems before them: a reference to one of those rows is reported as not found."
            )
        return ""


def import_bundle(files, dry_run=False, user=None, max_row_by_row_rows=None):
    """Import the files `open_bundle` gave, in their order, all or nothing; returns the report.

    Every file is imported for real, each seeing its siblings' rows, inside one transaction that
    is rolled back at the end for a dry run or when any file has a problem. `max_row_by_row_rows`:
    refuse a bundle with more rows of kinds imported row by row (the admin's limit)."""
    report = BundleReport()
    using = router.db_for_write(RESOURCES[KINDS[0]]._meta.model)
    readings = []
    for file in files:
        file_report = FileReport(file.name, file.kind)
        report.files.append(file_report)
        try:
            readings.append((file, file_report, read_rows(file.kind, file.stream)))
        except ImportRefused as refusal:
            file_report.problems = [dataclasses.replace(problem, file=file.name) for problem in refusal.problems]
    if max_row_by_row_rows:
        counted = sum(len(rows) for file, _, rows in readings if RESOURCES[file.kind].row_by_row)
        if counted > max_row_by_row_rows:
            report.refused = (
                f"This bundle has {counted:,} rows of kinds other than claims; the admin imports at most "
                f"{max_row_by_row_rows:,} of them at a time, each checked and saved on its own. Import it on "
                "the command line instead: python manage.py archive_import --bundle FILE [FILE ...]."
            )
            return report
    with transaction.atomic(using=using):
        lock_imports(using)
        for file, file_report, rows in readings:
            resource = RESOURCES[file.kind]()
            # Never the file's own dry run: the next files must see its rows; the rollback below undoes them.
            result = resource.import_data(rows, dry_run=False, user=user, retain_instance_in_row_result=bool(user))
            file_report.result = result
            file_report.problems = [dataclasses.replace(problem, file=file.name) for problem in result.problems]
            if user and not dry_run and not result.problems:
                log_rows(result, user)
        if dry_run or report.problems:
            transaction.set_rollback(True, using=using)
    return report
