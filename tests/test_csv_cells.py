from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.csv_io import cells
from archive.vocabulary import Unit


@pytest.mark.parametrize("text", ["=1+2", "+33 1 23", "-23", "@SUM(A1)", "\tindented", "\rreturn"])
def test_it_neutralises_text_a_spreadsheet_would_run(text):
    assert cells.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["China Daily", "'tis the season", "'", "", "1,237 tons", "a=b"])
def test_it_leaves_harmless_text_alone(text):
    assert cells.neutralise(text) == text


def test_it_escapes_an_apostrophe_that_would_otherwise_be_taken_for_an_escape():
    assert cells.neutralise("'=1") == "''=1"
    assert cells.restore("''=1") == "'=1"
    assert cells.neutralise("''") == "'''"


@given(st.text())
def test_it_restores_every_neutralised_text_exactly(text):
    assert cells.restore(cells.neutralise(text)) == text


@given(st.text())
def test_a_neutralised_cell_never_starts_with_a_formula_character(text):
    assert not cells.neutralise(text).startswith(cells.FORMULA_STARTS)


def test_it_refuses_a_nul_character_saying_where_it_is():
    with pytest.raises(ValueError, match="NUL character .* at position 4"):
        cells.read_text("abc\x00def")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("1237.000000"), "1237"),
        (Decimal("-23.000000"), "-23"),
        (Decimal("1.640000"), "1.64"),
        (Decimal("696900.000000"), "696900"),
        (Decimal("0E-6"), "0"),
        (Decimal("0.000100"), "0.0001"),
        (None, ""),
    ],
)
def test_it_writes_numbers_without_trailing_zeros_or_exponents(value, written):
    assert cells.write_decimal(value) == written


@pytest.mark.parametrize("cell", ["1237", "-23", "1.64", "0.000001", "123456789012345678"])
def test_it_reads_plain_numbers(cell):
    assert cells.read_decimal(cell) == Decimal(cell)
    assert cells.write_decimal(cells.read_decimal(cell)) == cell


@pytest.mark.parametrize("cell", ["1,5OO", "1,500", "1 500", "1.5e3", "NaN", "Infinity", "12 t", "1.", ".5", "--1"])
def test_it_refuses_anything_but_plain_digits(cell):
    with pytest.raises(ValueError, match="is not a number: write digits only"):
        cells.read_decimal(cell)


def test_it_quotes_the_refused_number_as_it_was_written():
    with pytest.raises(ValueError, match=r"^'1,5OO' is not a number"):
        cells.read_decimal("1,5OO")


def test_it_refuses_more_decimal_places_than_the_archive_keeps():
    with pytest.raises(ValueError, match="has 7 decimal places; at most 6"):
        cells.read_decimal("1.0000001")


def test_it_refuses_numbers_too_large_for_the_archive():
    with pytest.raises(ValueError, match="too large"):
        cells.read_decimal("1234567890123456789")


def test_it_reads_iso_dates_only():
    assert cells.read_date("2019-11-27") == date(2019, 11, 27)
    for cell in ("27/11/2019", "2019-11-27T00:00", "20191127", "2019-W48-3"):
        with pytest.raises(ValueError, match="write YYYY-MM-DD"):
            cells.read_date(cell)


def test_it_says_why_an_iso_looking_date_does_not_exist():
    with pytest.raises(ValueError, match="day is out of range"):
        cells.read_date("2019-02-30")


def test_it_reads_vocabulary_values_and_points_from_a_label_to_its_value():
    assert cells.read_choice("t", Unit, "a unit") == "t"
    with pytest.raises(
        ValueError, match=r"'tonnes' is not a unit: use one of count, kg, t, m3, percent \(for “tonnes” write t\)"
    ):
        cells.read_choice("tonnes", Unit, "a unit")
