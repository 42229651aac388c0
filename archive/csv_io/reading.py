"""Reading a CSV file: its encoding, its header and its rows, each problem with its place.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
A record may span several lines when a quoted cell holds line breaks; it is still one row.
"""

import codecs
import csv
import io
from dataclasses import dataclass
from difflib import get_close_matches

import tablib

# A quoted cell may hold a whole article body; this is far above any real one, and a
# bigger cell almost always means a quote that was opened and never closed.
MAX_CELL_CHARACTERS = 64 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str
    file: str | None = None  # named when the file is one of a bundle

    def __str__(self):
        place = ", ".join(
            part
            for part in (self.file, self.row and f"row {self.row}", self.column and f"column {self.column}")
            if part
        )
        return f"{place}: {self.message}" if place else self.message


class ImportRefused(Exception):
    """Nothing was imported; `problems` says why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def check_encoding(stream):
    """Read a binary stream to its end and refuse it unless it is UTF-8 (with or without a BOM)."""
    data = stream.read(CHUNK_BYTES)
    if data.startswith(UTF16_BOMS):
        raise ImportRefused(
            [Problem(None, None, "The file is UTF-16 (“Unicode text”); save it as CSV UTF-8 and import it again.")]
        )
    offset, lines = 0, 1
    while data:
        more = stream.read(CHUNK_BYTES)
        keep = b""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            if more and error.reason == "unexpected end of data":
                keep = data[error.start :]  # a character cut in two by the chunk boundary
            else:
                line = lines + data.count(b"\n", 0, error.start)
                raise ImportRefused(
                    [
                        Problem(
                            None,
                            None,
                            f"The file is not UTF-8: byte 0x{data[error.start]:02X} on line {line} (byte "
                            f"{offset + error.start + 1:,} of the file) is not UTF-8 text. The file was probably "
                            "saved as Latin-1 or Windows-1252; save it as CSV UTF-8 and import it again.",
                        )
                    ]
                ) from None
        used = len(data) - len(keep)
        lines += data.count(b"\n", 0, used)
        offset += used
        data = keep + more


def check_header(header, kind, columns, required):
    """Problems with a header row: unknown, repeated or missing columns."""
    problems = []
    seen = set()
    unknown = [name for name in header if name not in columns]
    for name in header:
        if name in seen and name in columns:
            problems.append(Problem(1, name, "this column appears twice in the header"))
        seen.add(name)
    missing = [name for name in required if name not in seen]
    for name in unknown:
        if not name.strip():
            problems.append(Problem(1, None, "a column has no name (an extra comma at the end of the header?)"))
            continue
        guess = get_close_matches(name.strip().lower(), [c for c in columns if c not in seen], n=1, cutoff=0.6)
        hint = f"; did you mean {guess[0]}?" if guess else ""
        problems.append(Problem(1, None, f"column “{name}” is not a {kind} column{hint}"))
    for name in missing:
        problems.append(Problem(1, name, f"this column is missing; a {kind} file needs {', '.join(required)}"))
    return problems


class Table:
    """The rows of a CSV file after its header, read lazily.

    Iterating yields (row number, cells) for every record with as many cells as the
    header has columns; empty records are skipped, and records with another number of
    cells or broken quoting are recorded in `problems` instead.
    """

    def __init__(self, stream):
        """`stream` is a binary file at its start; its encoding is checked first."""
        check_encoding(stream)
        stream.seek(0)
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARACTERS))
        self.reader = csv.reader(self.text, strict=True)
        self.problems = []
        try:
            self.headers = next(self.reader, [])
        except csv.Error as error:
            raise ImportRefused([Problem(1, None, f"the header row cannot be read as CSV: {error}")]) from None
        if not any(cell.strip() for cell in self.headers):
            raise ImportRefused(
                [Problem(None, None, "The file is empty: its first row must be the header, naming the columns.")]
            )
        if any("\x00" in cell for cell in self.headers):
            raise ImportRefused(
                [Problem(1, None, "the header holds NUL characters: is the file UTF-16? Save it as CSV UTF-8.")]
            )

    def numbered_rows(self):
        width = len(self.headers)
        number = 1
        try:
            for number, cells in enumerate(self.reader, 2):
                if len(cells) == width:
                    yield number, cells
                elif cells:
                    self.problems.append(
                        Problem(
                            number,
                            None,
                            f"this row has {len(cells)} cells but the header names {width} columns "
                            "(a missing or extra comma, or an unclosed quote?)",
                        )
                    )
        except csv.Error as error:
            # The reader cannot find its feet again after broken quoting: what follows is unreliable.
            message = str(error)
            if "field larger than field limit" in message:
                message = (
                    f"a cell is longer than {MAX_CELL_CHARACTERS // (1024 * 1024)} million characters, "
                    "probably because a quote was opened and never closed"
                )
            self.problems.append(Problem(number + 1, None, f"the file is not valid CSV from here on: {message}"))


class CsvDataset(tablib.Dataset):
    """A tablib Dataset that remembers each row's number in the file and the file's problems,
    so the admin's import (which works on Datasets) reports the same places as the command line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_numbers = []
        self.problems = []

    def __bool__(self):
        """A file read is something to import even with no rows left: a header alone is a valid
        file that imports nothing, and rows the reader refused are problems to list, where the
        library would answer “No valid data to import” for an empty Dataset."""
        return True

    def numbered_rows(self):
        return zip(self.row_numbers, self, strict=True)


def read_dataset(stream):
    table = Table(stream)
    dataset = CsvDataset(headers=table.headers)
    for number, cells in table.numbered_rows():
        dataset.append(cells)
        dataset.row_numbers.append(number)
    dataset.problems = table.problems
    return dataset
