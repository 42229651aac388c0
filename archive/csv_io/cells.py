"""How one value is written in a CSV cell and read back.

Text cells are neutralised on export so a spreadsheet never runs them (OWASP's rule for
CSV injection): a cell starting with =, +, -, @, a tab or a carriage return gets a leading
apostrophe. So that import can restore every text exactly, a text that itself starts with
an apostrophe followed by one of those characters (or by another apostrophe) gets one too;
import removes one leading apostrophe only when such a character follows it. Numbers are
not text and are never prefixed, so -23 stays a number.
"""

import re
from datetime import date
from decimal import Decimal
from operator import methodcaller

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
ESCAPED_STARTS = frozenset((*FORMULA_STARTS, ESCAPE))

NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_DECIMAL_PLACES = 6
MAX_DIGITS = 24


def shown(value, limit=60):
    """A cell as an error message quotes it: in quotes, control characters visible, long ones cut."""
    text = repr(value[:limit] + ("…" if len(value) > limit else ""))
    return text if text.startswith("'") else f"'{text[1:-1]}'"


def neutralise(text):
    first = text[:1]
    if first in ESCAPED_STARTS and (first != ESCAPE or text[1:2] in ESCAPED_STARTS):
        return ESCAPE + text
    return text


def restore(cell):
    if cell[:1] == ESCAPE and cell[1:2] in ESCAPED_STARTS:
        return cell[1:]
    return cell


def read_as_is(cells):
    """Whether `read_text` reads each of these cells as it is, as it does nearly every cell: a
    column of them is then read at once."""
    return "\x00" not in "".join(cells) and not any(map(methodcaller("startswith", ESCAPE), cells))


def read_text(cell):
    """The text a cell holds, or ValueError if the archive cannot store it."""
    if "\x00" in cell:
        raise ValueError(
            f"contains a NUL character (byte 0) at position {cell.index(chr(0)) + 1}, "
            "which the archive cannot store; remove it and import again"
        )
    return restore(cell)


def read_decimal(cell):
    """A number written with digits, an optional minus and an optional decimal point."""
    if not NUMBER.fullmatch(cell):
        raise ValueError(
            f"{shown(cell)} is not a number: write digits only, with a point for decimals and no "
            "thousands separators or spaces (1500, 1.64, -23)"
        )
    whole, _, places = cell.lstrip("-").partition(".")
    if len(places) > MAX_DECIMAL_PLACES:
        raise ValueError(f"{shown(cell)} has {len(places)} decimal places; at most {MAX_DECIMAL_PLACES} are kept")
    if len(whole.lstrip("0")) > MAX_DIGITS - MAX_DECIMAL_PLACES:
        raise ValueError(
            f"{shown(cell)} is too large: at most {MAX_DIGITS - MAX_DECIMAL_PLACES} digits before the point"
        )
    return Decimal(cell)


def write_decimal(value):
    """1237.000000 -> "1237", -23.000000 -> "-23", 1.640000 -> "1.64"."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def read_date(cell):
    if not ISO_DATE.fullmatch(cell):
        raise ValueError(f"{shown(cell)} is not a date: write YYYY-MM-DD, e.g. 2019-11-27, or leave the cell empty")
    try:
        return date.fromisoformat(cell)
    except ValueError as error:
        raise ValueError(f"{shown(cell)} is not a date: {error}") from None


def write_date(value):
    return value.isoformat() if value else ""


def read_choice(cell, choices, what, values=None):
    """One of a vocabulary's stored values ("t", "about"), exactly as the export writes it."""
    if cell in (values or choices.values):
        return cell
    hint = ""
    by_label = {label.lower(): value for value, label in choices.choices}
    if cell.strip().lower() in by_label:
        hint = f" (for “{cell.strip()}” write {by_label[cell.strip().lower()]})"
    raise ValueError(f"{shown(cell)} is not {what}: use one of {', '.join(choices.values)}{hint}")
