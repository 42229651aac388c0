"""Exporting CSV: exact round trips, and no cell a spreadsheet would run."""

import csv
import io

import pytest

from archive.csv_io.resources import RESOURCES
from archive.models import Claim, Figure, Outlet, Person

from .csv_support import CLAIMS_HEADER, KINDS, csv_text, database_state, export_csv, import_csv, run

pytestmark = pytest.mark.django_db


def empty_the_archive():
    """Every kind of row deleted, those that refer to others first."""
    Figure.possible_misattributions.through.objects.all().delete()
    for kind in reversed(KINDS):
        RESOURCES[kind]._meta.model.objects.all().delete()


def rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_export_then_import_into_an_empty_archive_then_export_again_is_byte_identical(seed, tmp_path):
    first = {kind: export_csv(kind) for kind in KINDS}
    empty_the_archive()

    for kind in KINDS:
        result = import_csv(tmp_path, kind, first[kind].encode())
        assert result.ok, (kind, result.err)

    assert {kind: export_csv(kind) for kind in KINDS} == first


def test_the_round_trip_restores_the_derived_fields_of_the_seed_data(seed, tmp_path):
    first = {kind: export_csv(kind) for kind in KINDS}
    statuses = dict(Figure.objects.values_list("slug", "status"))
    hints = sorted(Figure.objects.filter(possible_misattributions__isnull=False).values_list("slug", flat=True))
    derived = ("quote_start", "value_start", "value_printed", "normalised_value")
    located = sorted(Claim.objects.values_list(*derived))
    empty_the_archive()

    for kind in KINDS:
        import_csv(tmp_path, kind, first[kind].encode())

    assert dict(Figure.objects.values_list("slug", "status")) == statuses
    assert sorted(Figure.objects.filter(possible_misattributions__isnull=False).values_list("slug", flat=True)) == hints
    assert sorted(Claim.objects.values_list(*derived)) == located


def test_every_export_writes_the_header_its_import_reads(seed):
    for kind in KINDS:
        header = rows(export_csv(kind))[0]
        assert header == RESOURCES[kind].columns()
        assert set(RESOURCES[kind].required) <= set(header)


def test_the_formats_have_at_least_the_documented_columns():
    documented = {
        "articles": ["url", "outlet", "title", "published_on", "body"],
        "operations": ["slug", "name", "aliases", "start_date", "end_date"],
        "figures": ["slug", "title", "operation", "organisation", "measure", "period_start", "period_end"],
        "claims": ["article", "figure", "quote", "value", "unit", "bound"],
    }
    for kind, columns in documented.items():
        assert set(columns) <= set(RESOURCES[kind].columns())


def test_rows_name_each_other_by_human_keys_and_numbers_are_plain(seed):
    claims = rows(export_csv("claims"))
    by_quote = {row[2]: dict(zip(claims[0], row, strict=True)) for row in claims[1:]}

    waste = by_quote["with the amount totaling 1,237 metric tons, Sun said"]
    assert waste["article"] == "china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling"
    assert waste["figure"] == "china-customs-endangered-species-weight-jan-oct-2019"
    assert (waste["value"], waste["unit"], waste["speaker"]) == ("1237", "t", "Sun Zhijie")
    assert [row[3] for row in claims[1:] if row[3].startswith("-")] == ["-23", "-52"]
    assert "1.64" in [row[3] for row in claims[1:]]
    figures = {row[0]: row for row in rows(export_csv("figures"))[1:]}
    assert figures["demeter-v-cases-china-customs"][2:4] == ["demeter-v", "GACC"]


def test_it_writes_rfc_4180_line_ends_and_no_byte_order_mark(seed):
    text = export_csv("outlets")

    assert text.startswith("slug,name,website,country\r\n")
    assert text.count("\r\n") == 4


def test_a_file_and_standard_output_get_the_same_bytes(seed, tmp_path):
    path = tmp_path / "claims.csv"

    run("archive_export", "claims", str(path))

    assert path.read_bytes() == export_csv("claims").encode()


def test_an_empty_kind_exports_a_header_that_imports_as_nothing(db, tmp_path):
    text = export_csv("people")

    assert text == "slug,name,role,organisation\r\n"
    assert import_csv(tmp_path, "people", text.encode()).ok


def test_no_exported_cell_would_run_in_a_spreadsheet_and_import_restores_the_text(seed, tmp_path):
    tricky = ['=HYPERLINK("http://evil","x")', "+1 555", "-5 cases", "@SUM(A1)", "\tTab", "\rReturn", "'=quoted"]
    for i, name in enumerate(tricky):
        Outlet.objects.create(slug=f"tricky-{i}", name=name, country=name)
    exported = export_csv("outlets")
    for row in rows(exported)[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    Outlet.objects.filter(slug__startswith="tricky").delete()

    result = import_csv(tmp_path, "outlets", exported.encode())

    assert result.ok, result.err
    assert sorted(Outlet.objects.filter(slug__startswith="tricky").values_list("name", flat=True)) == sorted(tricky)
    assert export_csv("outlets") == exported


def test_negative_numbers_stay_numbers_while_text_starting_with_a_minus_is_neutralised(seed):
    Claim.objects.filter(value=-23).update(note="-23 is a decrease")

    row = next(row for row in rows(export_csv("claims")) if row[3] == "-23")

    assert row[-1] == "'-23 is a decrease"


def test_a_reference_is_written_with_a_name_that_finds_the_same_row_again(seed, tmp_path):
    Person.objects.create(slug="sun-zhijie-2", name="Sun Zhijie", role="A namesake")
    claims = export_csv("claims")

    assert "sun-zhijie" in [row[CLAIMS_HEADER.index("speaker")] for row in rows(claims)]
    speakers_before = sorted(Claim.objects.values_list("speaker__slug", flat=True).exclude(speaker=None))
    Claim.objects.update(speaker=None)
    assert import_csv(tmp_path, "claims", claims.encode()).ok
    assert sorted(Claim.objects.values_list("speaker__slug", flat=True).exclude(speaker=None)) == speakers_before


def test_an_ambiguous_name_on_import_asks_for_the_slug(seed, tmp_path):
    Person.objects.create(slug="sun-zhijie-2", name="Sun Zhijie", role="A namesake")
    before = database_state()

    result = import_csv(tmp_path, "people", [["name", "organisation"], ["Someone", "Org"]])

    assert result.problems == ["row 2, column organisation: no organisation with name, short name or slug 'Org'"]
    header = ["article", "figure", "quote", "value", "unit", "bound", "speaker"]
    row = [
        "china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling",
        "china-customs-solid-waste-cases-jan-oct-2019",
        "It also dealt with 317 solid waste smuggling cases",
        "317",
        "count",
        "exact",
        "Sun Zhijie",
    ]
    result = import_csv(tmp_path, "claims", csv_text([header, row]))
    assert result.problems == [
        "row 2, column speaker: 'Sun Zhijie' is the name of 2 people; name the one you mean by its slug"
    ]
    assert database_state() == before
