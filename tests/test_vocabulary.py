"""Each unit and bound is defined once (archive/vocabulary.py), and everything that reads,
rules on or words one follows from that definition."""

from decimal import Decimal
from pathlib import Path

import pytest

from archive.models import Claim
from archive.printed_numbers import find_numbers
from archive.status import Reading, value_range
from archive.views.wording import BOUND_MEANING, amount
from archive.vocabulary import BASE_UNIT, BOUNDS, UNITS, Bound, Dimension, Unit

DOCS = (Path(__file__).resolve().parents[1] / "docs" / "data-model.md").read_text()


def documented(code):
    """The cells of the row of the docs' vocabulary tables that starts with `code`."""
    rows = [line for line in DOCS.splitlines() if line.startswith(f"| `{code}` |")]
    assert len(rows) == 1, f"docs/data-model.md has {len(rows)} rows for {code}"
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def test_the_stored_choices_are_the_definitions():
    assert Unit.choices == [(term.code, term.label) for term in UNITS]
    assert Bound.choices == [(term.code, term.label) for term in BOUNDS]
    assert Claim._meta.get_field("unit").choices == Unit.choices
    assert Claim._meta.get_field("bound").choices == Bound.choices


def test_every_dimension_has_one_base_unit_that_the_others_convert_to():
    for dimension in Dimension:
        base = [term for term in UNITS if term.dimension == dimension and term.factor == 1]
        assert len(base) == 1, dimension
        assert BASE_UNIT[dimension] == base[0].code


@pytest.mark.parametrize("term", UNITS, ids=lambda term: term.code)
def test_every_unit_is_printed_read_and_worded(term):
    """A unit's public wording, in words and in short, is read back as that unit; a count, which
    prints a plain noun, is read from one."""
    assert term.label and term.plural is not None and term.factor > 0
    for words in (True, False):
        text = amount(Decimal(1500), term.code, words=words)
        if term.code == Unit.COUNT:
            text += " cases"
        [number] = find_numbers(f"customs seized {text} in all")
        assert (number.value, number.unit) == (Decimal(1500), term.code), text
    for printed in term.printed:
        [number] = find_numbers(f"customs seized 1,500 {printed} in all")
        assert number.unit == term.code, printed


@pytest.mark.parametrize("term", BOUNDS, ids=lambda term: term.code)
def test_every_bound_is_printed_read_ruled_on_and_worded(term):
    """A bound's public wording is read back as that bound, as is every word that prints it; the
    status rule reads it as an interval holding the value; the figure page explains it."""
    [number] = find_numbers(f"customs seized {amount(Decimal(1500), Unit.TONNE, term.code)} in all")
    assert number.bound == term.code
    for printed in term.printed:
        [number] = find_numbers(f"customs seized {printed} 1,500 tonnes in all")
        assert number.bound == term.code, printed
    low, high = value_range(Reading(1, Decimal(1500), term.code, Decimal(0)))
    assert low <= Decimal(1500) <= high
    low, high = value_range(Reading(1, Decimal(1500), term.code, Decimal(0), high=Decimal(2000)))
    assert low <= Decimal(1500) and Decimal(2000) <= high
    assert BOUND_MEANING[term.code] == term.meaning and term.meaning


def test_a_range_is_worded_as_one_and_read_back_as_one():
    for words in (True, False):
        text = amount(Decimal(3000), Unit.TONNE, Bound.ABOUT, words=words, high=Decimal(4000))
        [number] = find_numbers(f"customs seized {text} in all")
        assert (number.value, number.high, number.bound, number.unit) == (
            Decimal(3000),
            Decimal(4000),
            Bound.ABOUT,
            Unit.TONNE,
        ), text


@pytest.mark.parametrize("term", UNITS, ids=lambda term: term.code)
def test_the_docs_table_of_units_matches_the_definitions(term):
    code, label, dimension, factor, printed = documented(term.code)
    assert (label, dimension, Decimal(factor.replace(",", ""))) == (term.label, term.dimension, term.factor)
    assert printed == (", ".join(term.printed) or "a plain noun: 1,828 *cases*")


@pytest.mark.parametrize("term", BOUNDS, ids=lambda term: term.code)
def test_the_docs_table_of_bounds_matches_the_definitions(term):
    code, label, printed, meaning = documented(term.code)
    assert (label, printed, meaning) == (term.label, ", ".join(term.printed) or "no bound word", term.meaning)
