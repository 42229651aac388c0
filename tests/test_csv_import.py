"""Importing CSV files on the command line: counts, updates, and every bad input refused with
the database left exactly as it was."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Claim, Figure, Operation, Outlet
from archive.vocabulary import FigureStatus

from .csv_support import (
    CHINA_DAILY,
    CLAIMS_HEADER,
    GLOBAL_TIMES,
    SEVENTY_THREE,
    claim_row,
    csv_text,
    database_state,
    export_csv,
    import_csv,
    run,
)


@pytest.fixture
def missing_claim(seed):
    """The seed without China Daily's “73 of those cases” claim, and that claim as a CSV row."""
    Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"]).delete()
    return claim_row(value="73", **SEVENTY_THREE)


def assert_refused(result, problems, before):
    assert not result.ok
    assert result.problems == problems
    assert "Nothing was imported" in result.err
    assert database_state() == before


def test_it_imports_a_claim_and_prints_the_counts(missing_claim, tmp_path):
    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert result.ok, result.err
    assert result.out.splitlines()[0] == "Imported claims: 1 created, 0 updated, 0 unchanged."
    claim = Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"])
    assert (claim.value, claim.unit, claim.status) == (Decimal(73), "count", "published")
    assert claim.value_printed == "73"
    assert claim.article.body[claim.quote_start : claim.quote_end] == SEVENTY_THREE["quote"]


def test_importing_the_same_file_twice_creates_nothing_the_second_time(missing_claim, tmp_path):
    import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])
    before = database_state()

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert result.out.splitlines()[0] == "Imported claims: 0 created, 0 updated, 1 unchanged."
    assert database_state() == before


def test_it_updates_the_claim_of_the_same_article_figure_and_quote(seed, tmp_path):
    row = claim_row(value="73", note="Counted by China Daily only.", **SEVENTY_THREE)

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, row])

    assert result.out.splitlines()[0] == "Imported claims: 0 created, 1 updated, 0 unchanged."
    claim = Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"])
    assert claim.note == "Counted by China Daily only."
    assert claim.version == 2
    assert claim.history.first().history_type == "~"


def test_an_update_changes_only_the_claims_and_columns_it_changes_and_records_them(seed, editor, tmp_path):
    rows = list(csv.reader(io.StringIO(export_csv("claims"))))
    changed = next(row for row in rows if row[2] == SEVENTY_THREE["quote"])
    changed[-1] = "Counted by China Daily only."
    before = database_state()

    result = import_csv(tmp_path, "claims", rows, "--user", "alice")

    assert result.out.splitlines()[0] == f"Imported claims: 0 created, 1 updated, {len(rows) - 2} unchanged."
    after = database_state()
    claim = Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"])
    assert changed_columns(before, after) == {
        ("archive.Claim", claim.pk): {"note", "version", "updated_at"},
        ("archive.DataVersion", 1): {"version", "changed_at"},
    }
    history = added_rows(before, after, "archive.HistoricalClaim")
    assert [(row["history_type"], row["history_user_id"], row["history_date"]) for row in history] == [
        ("~", editor.pk, claim.updated_at)
    ]
    assert {name: history[0][name] for name in after["archive.Claim"][0]} == Claim.objects.values().get(pk=claim.pk)
    log = added_rows(before, after, "admin.LogEntry")
    assert [(row["object_id"], row["action_flag"], row["user_id"]) for row in log] == [
        (str(claim.pk), CHANGE, editor.pk)
    ]


def test_an_update_of_many_claims_sends_the_statements_an_update_of_one_does(seed, tmp_path):
    """Django's bulk_update writes one CASE branch per claim and column: PostgreSQL took quadratic
    time over them, about a hundred claims a second."""
    rows = list(csv.reader(io.StringIO(export_csv("claims"))))
    statements = []
    for revision, changed in (("Checked once.", rows[1:2]), ("Checked twice.", rows[1:])):
        for row in changed:
            row[-1] = revision
        with CaptureQueriesContext(connection) as queries:
            result = import_csv(tmp_path, "claims", rows)
        assert f"{len(changed)} updated" in result.out
        statements.append({re.sub(r"^\d+ times: ", "", query["sql"]) for query in queries})

    updates = [{sql for sql in sent if sql.startswith(f'UPDATE "{Claim._meta.db_table}"')} for sent in statements]
    assert len(updates[0]) == 1
    assert updates[1] == updates[0]


def changed_columns(before, after):
    """{(model, pk): the names of the columns that changed} for every row in both states."""
    changed = {}
    for label, rows in before.items():
        pk = apps.get_model(label)._meta.pk.attname
        now = {row[pk]: row for row in after[label]}
        for row in rows:
            columns = {name for name, value in row.items() if now[row[pk]][name] != value}
            if columns:
                changed[label, row[pk]] = columns
    return changed


def added_rows(before, after, label):
    pk = apps.get_model(label)._meta.pk.attname
    known = {row[pk] for row in before[label]}
    return [row for row in after[label] if row[pk] not in known]


def test_it_leaves_a_column_the_file_does_not_have_as_it_was(seed, tmp_path):
    quote = "with the amount totaling 1,237 metric tons, Sun said"
    header = ["article", "figure", "quote", "value", "unit", "bound", "note"]
    row = [CHINA_DAILY, "china-customs-endangered-species-weight-jan-oct-2019", quote, "1237", "t", "exact", "Sun."]

    import_csv(tmp_path, "claims", [header, row])

    claim = Claim.objects.get(quote=quote)
    assert (claim.note, claim.speaker.slug, claim.status) == ("Sun.", "sun-zhijie", "published")


def test_it_records_the_importing_user_in_the_admin_history(missing_claim, editor, tmp_path):
    import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim], "--user", "alice")

    claim = Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"])
    entry = LogEntry.objects.get(object_id=str(claim.pk))
    assert (entry.user, entry.action_flag) == (editor, ADDITION)
    assert claim.history.get().history_user == editor


def test_it_records_the_importing_user_for_the_other_kinds_too(seed, editor, tmp_path):
    import_csv(tmp_path, "outlets", [["name", "country"], ["Xinhua", "China"]], "--user", "alice")

    outlet = Outlet.objects.get(name="Xinhua")
    assert LogEntry.objects.get(object_id=str(outlet.pk)).user == editor
    assert outlet.history.get().history_user == editor


def test_only_a_user_who_may_change_a_kind_may_import_it(missing_claim, staff_without_permissions, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim], "--user", "bob")

    assert not result.ok
    assert "bob may not change claims, so may not import them." in result.err
    assert database_state() == before


def test_a_dry_run_counts_and_writes_nothing(missing_claim, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim], "--dry-run")

    assert result.ok
    assert result.out.splitlines()[0] == "Dry run, nothing written. claims: 1 created, 0 updated, 0 unchanged."
    assert database_state() == before


# Input to survive


def test_it_refuses_a_file_missing_a_column(missing_claim, tmp_path):
    before = database_state()
    header = [column for column in CLAIMS_HEADER if column != "figure"]
    row = [cell for column, cell in zip(CLAIMS_HEADER, missing_claim, strict=True) if column != "figure"]

    result = import_csv(tmp_path, "claims", [header, row])

    assert_refused(
        result,
        [
            "row 1, column figure: this column is missing; "
            "a claims file needs article, figure, quote, value, unit, bound"
        ],
        before,
    )


def test_it_refuses_a_misspelled_column_and_suggests_the_right_name(missing_claim, tmp_path):
    before = database_state()
    header = ["figrue" if column == "figure" else column for column in CLAIMS_HEADER]

    result = import_csv(tmp_path, "claims", [header, missing_claim])

    assert_refused(
        result,
        [
            "row 1: column “figrue” is not a claims column; did you mean figure?",
            "row 1, column figure: this column is missing; "
            "a claims file needs article, figure, quote, value, unit, bound",
        ],
        before,
    )


def test_it_refuses_an_empty_file(seed, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "claims", b"")

    assert_refused(result, ["The file is empty: its first row must be the header, naming the columns."], before)


def test_a_file_with_only_a_header_imports_nothing_and_succeeds(seed, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER])

    assert result.ok
    assert result.out.splitlines()[0] == "Imported claims: 0 created, 0 updated, 0 unchanged."
    assert database_state() == before


def test_it_reads_utf8_with_a_byte_order_mark(missing_claim, tmp_path):
    result = import_csv(tmp_path, "claims", b"\xef\xbb\xbf" + csv_text([CLAIMS_HEADER, missing_claim]).encode())

    assert result.ok, result.err
    assert result.out.startswith("Imported claims: 1 created")


def test_it_refuses_a_file_in_another_encoding_instead_of_garbling_it(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("note")] = "Counted in Québec"
    content = csv_text([CLAIMS_HEADER, missing_claim]).encode("latin-1")

    result = import_csv(tmp_path, "claims", content)

    assert not result.ok
    assert result.problems[0].startswith("The file is not UTF-8: byte 0xE9 on line 2 (byte ")
    assert "save it as CSV UTF-8" in result.problems[0]
    assert database_state() == before


def test_it_refuses_a_utf16_file_by_name(missing_claim, tmp_path):
    result = import_csv(tmp_path, "claims", csv_text([CLAIMS_HEADER, missing_claim]).encode("utf-16"))

    assert result.problems == ["The file is UTF-16 (“Unicode text”); save it as CSV UTF-8 and import it again."]


def test_windows_and_unix_line_endings_import_the_same(missing_claim, tmp_path):
    missing_claim[CLAIMS_HEADER.index("note")] = "one line"
    import_csv(tmp_path, "claims", csv_text([CLAIMS_HEADER, missing_claim], line_end="\r\n"))
    windows = list(Claim.objects.values_list("quote", "note", "value").order_by("pk"))
    Claim.objects.filter(note="one line").delete()

    import_csv(tmp_path, "claims", csv_text([CLAIMS_HEADER, missing_claim], line_end="\n"))

    assert list(Claim.objects.values_list("quote", "note", "value").order_by("pk")) == windows


def test_it_keeps_quoted_commas_quotes_and_line_breaks_exactly(missing_claim, tmp_path):
    note = 'First, the count; then "the weight",\nand a second line,\r\nand a third.'
    missing_claim[CLAIMS_HEADER.index("note")] = note

    import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert Claim.objects.get(figure__slug=SEVENTY_THREE["figure"], article__slug=CHINA_DAILY).note == note


def test_it_refuses_the_same_claim_twice_in_one_file(missing_claim, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim, missing_claim])

    assert_refused(
        result, ["row 3, column quote: row 2 already imports this claim (same article, figure and quote)"], before
    )


def test_it_refuses_the_same_slug_twice_in_one_file(seed, tmp_path):
    before = database_state()
    header = ["slug", "title", "operation", "organisation", "measure", "period_start", "period_end"]
    row = ["demeter-v-arrests", "Arrests in Demeter V", "demeter-v", "GACC", "arrests", "", ""]

    result = import_csv(tmp_path, "figures", [header, row, row])

    assert_refused(result, ["row 3, column slug: row 2 already imports this figure"], before)


def test_it_refuses_an_unknown_reference_naming_row_column_and_value(missing_claim, tmp_path):
    before = database_state()
    unknown = claim_row(figure="demeter-v-china-waste", quote="roughly 1,500 tons of waste", value="1500", unit="t")

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim, unknown])

    assert_refused(result, ["row 3, column figure: no figure with slug 'demeter-v-china-waste'"], before)


def test_it_refuses_a_value_that_is_not_a_plain_number(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("value")] = "1,5OO"

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert_refused(
        result,
        [
            "row 2, column value: '1,5OO' is not a number: write digits only, with a point for decimals and no "
            "thousands separators or spaces (1500, 1.64, -23)"
        ],
        before,
    )


def test_it_refuses_a_ten_megabyte_quote(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("quote")] = "73 cases. " * (1024 * 1024)

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert_refused(
        result, ["row 2, column quote: A quote is at most 2,000 characters; this one has 10,485,760."], before
    )


def test_it_refuses_a_nul_byte_saying_where_it_is(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("note")] = "bad\x00note"

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert_refused(
        result,
        [
            "row 2, column note: contains a NUL character (byte 0) at position 4, which the archive cannot "
            "store; remove it and import again"
        ],
        before,
    )


def test_it_refuses_a_row_with_too_many_cells(missing_claim, tmp_path):
    before = database_state()
    content = csv_text([CLAIMS_HEADER, missing_claim, [*missing_claim, "extra"]])

    result = import_csv(tmp_path, "claims", content)

    assert_refused(
        result,
        [
            f"row 3: this row has {len(CLAIMS_HEADER) + 1} cells but the header names {len(CLAIMS_HEADER)} columns "
            "(a missing or extra comma, or an unclosed quote?)"
        ],
        before,
    )


def test_it_refuses_a_quote_that_is_never_closed(missing_claim, tmp_path):
    before = database_state()
    content = csv_text([CLAIMS_HEADER, missing_claim]) + f'{CHINA_DAILY},x,"never closed,1,count\r\n'

    result = import_csv(tmp_path, "claims", content)

    assert_refused(result, ["row 3: the file is not valid CSV from here on: unexpected end of data"], before)


# The model's rules hold on import


def test_it_refuses_a_quote_that_is_not_in_the_article(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("quote")] = "China customs contributed to 74 of those cases"

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert_refused(
        result,
        [
            "row 2, column quote: This quote does not appear in the body of the article “Customs to boost "
            "efforts to foil smuggling”."
        ],
        before,
    )


def test_it_refuses_a_value_the_quote_does_not_print(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("value")] = "74"

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert_refused(result, ["row 2, column value: The quote does not print 74: it prints “73”."], before)


def test_it_refuses_a_bound_the_quote_contradicts(seed, tmp_path):
    before = database_state()
    row = claim_row(
        figure="demeter-v-waste-seized-china-customs", quote="which seized roughly 1,500 tons", value="1500", unit="t"
    )

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, row])

    assert_refused(
        result,
        ["row 2, column bound: The quote prints “roughly 1,500”: the bound should be “about”, not “exactly”."],
        before,
    )


def test_it_refuses_a_unit_that_cannot_measure_the_figure(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("unit")] = "t"

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert_refused(result, ["row 2, column unit: Tonnes cannot measure “cases”; use count."], before)


def test_it_refuses_a_unit_outside_the_vocabulary(missing_claim, tmp_path):
    before = database_state()
    missing_claim[CLAIMS_HEADER.index("unit")] = "tons"

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert_refused(result, ["row 2, column unit: 'tons' is not a unit: use one of count, kg, t, m3, percent"], before)


def test_it_lists_every_problem_of_every_row_in_row_order(missing_claim, tmp_path):
    before = database_state()
    bad_value = [*missing_claim]
    bad_value[CLAIMS_HEADER.index("value")] = "seventy"
    bad_both = claim_row(figure="nope", quote="", value="1", unit="tonnes")

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, bad_both, missing_claim, bad_value])

    assert not result.ok
    assert [line.split(":")[0] for line in result.problems] == [
        "row 2, column figure",
        "row 2, column unit",
        "row 2, column quote",
        "row 4, column value",
    ]
    assert database_state() == before


def test_it_refuses_a_second_outlet_with_an_existing_name(seed, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "outlets", [["slug", "name"], ["cd", "China Daily"]])

    assert_refused(result, ["row 2, column name: Outlet with this Name already exists."], before)


def test_it_refuses_a_figure_period_that_ends_before_it_starts(seed, tmp_path):
    before = database_state()
    header = ["slug", "title", "operation", "organisation", "measure", "period_start", "period_end"]
    row = [
        "demeter-v-arrests",
        "Arrests in Demeter V",
        "Operation Earth Goddess",
        "GACC",
        "arrests",
        "2019-09-30",
        "2019-09-01",
    ]

    result = import_csv(tmp_path, "figures", [header, row])

    assert_refused(result, ["row 2, column period_end: The period cannot end before it starts."], before)


def test_it_refuses_an_article_edit_that_would_orphan_a_claim(seed, tmp_path):
    before = database_state()
    header = ["slug", "url", "outlet", "title", "published_on", "body"]
    row = [GLOBAL_TIMES, "http://www.globaltimes.cn/content/1171307.shtml", "Global Times", "5G", "2019-11-26", "Gone."]

    result = import_csv(tmp_path, "articles", [header, row])

    assert not result.ok
    assert result.problems[0].startswith("row 2, column body: This edit would remove the quoted text of 13 claim(s)")
    assert database_state() == before


def test_references_are_found_by_any_of_their_names(seed, tmp_path):
    header = ["slug", "title", "operation", "organisation", "measure", "period_start", "period_end"]
    rows = [
        ["a", "A", "Operation Earth Goddess", "General Administration of Customs of China", "arrests", "", ""],
        ["b", "B", "demeter v", "gacc", "arrests", "", ""],
        ["c", "C", "Operation Demeter V", "World Customs Organization", "arrests", "", ""],
    ]

    result = import_csv(tmp_path, "figures", [header, *rows])

    assert result.ok, result.err
    assert [
        (f.operation.slug, f.organisation.slug) for f in Figure.objects.filter(slug__in="abc").order_by("slug")
    ] == [
        ("demeter-v", "gacc"),
        ("demeter-v", "gacc"),
        ("demeter-v", "wco"),
    ]


# What an import changes in the figures


def test_a_claim_import_says_when_it_makes_a_figure_disputed(seed, tmp_path):
    waste = "demeter-v-waste-seized-china-customs"
    Claim.objects.get(article__slug=GLOBAL_TIMES, figure__slug=waste).delete()
    assert Figure.objects.get(slug=waste).status == FigureStatus.SINGLE
    quote = (
        'China also reported 232 cases, including 201 waste cases, and seized 4,585 tons of smuggled waste during "'
        'Operation Earth Goddess."'
    )

    result = import_csv(
        tmp_path,
        "claims",
        [CLAIMS_HEADER, claim_row(article=GLOBAL_TIMES, figure=waste, quote=quote, value="4585", unit="t")],
    )

    assert result.ok, result.err
    assert Figure.objects.get(slug=waste).status == FigureStatus.DISPUTED
    assert (
        "Note: figure “Waste seized by China customs in Operation Demeter V, September 2019” "
        "(demeter-v-waste-seized-china-customs) is now disputed: its published sources disagree"
    ) in result.out.splitlines()


def test_a_claim_import_says_when_it_raises_a_misattribution_hint(seed, tmp_path):
    seizures = "thunderball-2019-seizures-china"
    Claim.objects.get(article__slug=GLOBAL_TIMES, figure__slug=seizures).delete()
    assert not Figure.objects.get(slug=seizures).possible_misattributions.exists()
    row = claim_row(
        article=GLOBAL_TIMES,
        figure=seizures,
        quote="China, as a core member, made a total of 1,828 seizures",
        value="1828",
    )

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, row])

    assert result.ok, result.err
    assert [f.slug for f in Figure.objects.get(slug=seizures).possible_misattributions.all()] == [
        "thunderball-2019-cases-all-countries"
    ]
    assert (
        "Note: possible misattribution, the same value: China Daily gives 1,828 to all participating countries; "
        "Global Times gives 1,828 to General Administration of Customs of China; figures “Cases cracked by all "
        "participating countries in Operation Thunderball, June 2019” (thunderball-2019-cases-all-countries) and "
        "“Seizures made by China in Operation Thunderball, June 2019” (thunderball-2019-seizures-china)"
    ) in result.out.splitlines()


# The other kinds


def test_it_updates_a_row_matched_by_slug_and_counts_the_others_unchanged(seed, tmp_path):
    rows = [
        ["slug", "name", "website", "country"],
        ["china-daily", "China Daily", "https://www.chinadaily.com.cn/", "PRC"],
    ]
    rows.append(["global-times", "Global Times", "https://www.globaltimes.cn/", "China"])

    result = import_csv(tmp_path, "outlets", rows)

    assert result.out.splitlines()[0] == "Imported outlets: 0 created, 1 updated, 1 unchanged."
    outlet = Outlet.objects.get(slug="china-daily")
    assert (outlet.country, outlet.version) == ("PRC", 2)


def test_an_operation_row_replaces_its_aliases_and_their_notes(seed, tmp_path):
    header = ["slug", "name", "aliases", "alias_notes", "start_date", "end_date"]
    row = ["demeter-v", "Operation Demeter V", "Demeter V; Demeter 5", "Demeter 5: A typo in one wire.", "", ""]

    result = import_csv(tmp_path, "operations", [header, row])

    assert result.ok, result.err
    operation = Operation.objects.get(slug="demeter-v")
    assert dict(operation.aliases.values_list("name", "note")) == {"Demeter 5": "A typo in one wire.", "Demeter V": ""}


def test_it_refuses_an_alias_that_names_another_operation(seed, tmp_path):
    before = database_state()
    header = ["slug", "name", "aliases", "start_date", "end_date"]
    row = ["demeter-v", "Operation Demeter V", "Demeter V; operation thunderball", "", ""]

    result = import_csv(tmp_path, "operations", [header, row])

    assert_refused(
        result, ["row 2, column aliases: 'operation thunderball' already names the operation thunderball-2019"], before
    )


def test_it_refuses_an_alias_note_for_an_alias_the_row_does_not_have(seed, tmp_path):
    before = database_state()
    header = ["slug", "name", "aliases", "alias_notes", "start_date", "end_date"]
    row = ["demeter-v", "Operation Demeter V", "Demeter V", "Earth Goddess: the Global Times name", "", ""]

    result = import_csv(tmp_path, "operations", [header, row])

    assert_refused(
        result,
        [
            "row 2, column alias_notes: the line 'Earth Goddess: the Global Times name' does not start with one "
            "of this row's aliases and a colon"
        ],
        before,
    )


def test_it_refuses_an_empty_required_reference(seed, tmp_path):
    before = database_state()
    header = ["slug", "title", "operation", "organisation", "measure", "period_start", "period_end"]

    result = import_csv(tmp_path, "figures", [header, ["x", "X", "", "", "arrests", "", ""]])

    assert_refused(result, ["row 2, column organisation: is empty: every row needs its organisation"], before)


def test_a_ragged_row_refuses_the_whole_file_for_the_other_kinds_too(seed, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "outlets", "name,country\r\nXinhua,China\r\nReuters,UK,extra\r\n")

    assert_refused(
        result,
        [
            "row 3: this row has 3 cells but the header names 2 columns (a missing or extra comma, or an "
            "unclosed quote?)"
        ],
        before,
    )


def test_it_says_when_the_file_cannot_be_read(db, tmp_path):
    result = run("archive_import", "claims", str(tmp_path / "missing.csv"))

    assert not result.ok
    assert "Cannot read" in result.err and "No such file or directory" in result.err


def test_a_claim_may_name_its_article_by_address(missing_claim, tmp_path):
    missing_claim[CLAIMS_HEADER.index("article")] = (
        "https://www.chinadaily.com.cn/a/201911/27/WS5dddcbb3a310cf3e3557a39b.html"
    )

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim])

    assert result.out.startswith("Imported claims: 1 created")
    assert Claim.objects.filter(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"]).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_bulk_import_leaves_the_planner_statistics_current(db, tmp_path):
    outlets = tmp_path / "outlets.csv"
    outlets.write_text("name\n" + "".join(f"Outlet number {index}\n" for index in range(1500)))

    call_command("archive_import", "outlets", outlets, verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Outlet._meta.db_table])
        assert cursor.fetchone()[0] == 1500


def test_it_refuses_a_unit_the_quote_contradicts_naming_both(seed, tmp_path):
    claim = Claim.objects.get(value_printed="1.64")
    row = claim_row(figure=claim.figure.slug, quote=claim.quote, value="1.64", unit="kg")
    claim.delete()
    before = database_state()

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, row])

    assert_refused(
        result, ["row 2, column unit: The quote prints “1.64 tons”: the unit should be tonnes, not kilograms."], before
    )


def test_a_range_round_trips_through_csv(seed, tmp_path):
    article = Claim.objects.get(value_printed="1.64").article
    article.body += "\n\nOfficers estimated that between 3,000 and 4,000 tonnes went undetected."
    article.save()
    row = claim_row(
        figure="thunderball-2019-weight-china-customs",
        quote="between 3,000 and 4,000 tonnes went undetected",
        value="3000",
        value_high="4000",
        unit="t",
        status="draft",
    )

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, row])

    assert result.ok, result.err
    claim = Claim.objects.get(value_printed="between 3,000 and 4,000")
    assert (claim.value, claim.value_high, claim.normalised_high) == (3000, 4000, 4_000_000)
    exported = export_csv("claims")
    [line] = [line for line in csv.DictReader(io.StringIO(exported)) if line["quote"] == row[2]]
    assert (line["value"], line["value_high"], line["unit"]) == ("3000", "4000", "t")
    before = database_state()
    assert import_csv(tmp_path, "claims", exported).ok
    assert database_state() == before


def test_a_new_alias_in_a_file_without_alias_notes_has_no_note(seed, tmp_path):
    header = ["slug", "name", "aliases", "start_date", "end_date"]
    row = ["demeter-v", "Operation Demeter V", "Demeter V; Demeter 5", "2019-09-02", "2019-09-30"]

    result = import_csv(tmp_path, "operations", [header, row])

    assert result.ok, result.err
    operation = Operation.objects.get(slug="demeter-v")
    assert dict(operation.aliases.values_list("name", "note")) == {
        "Demeter 5": "",
        "Demeter V": "China Daily's short form.",
    }


def test_a_row_may_leave_value_unit_and_bound_to_the_one_number_its_quote_prints(missing_claim, tmp_path):
    waste = claim_row(figure="demeter-v-waste-seized-china-customs", quote="which seized roughly 1,500 tons of waste")
    Claim.objects.filter(article__slug=CHINA_DAILY, figure__slug="demeter-v-waste-seized-china-customs").delete()
    waste[CLAIMS_HEADER.index("bound")] = ""
    waste[CLAIMS_HEADER.index("unit")] = ""
    missing_claim[CLAIMS_HEADER.index("value")] = ""

    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, missing_claim, waste])

    assert result.ok, result.err
    assert "row 2: value read from the quote, which prints “73 of”" not in result.out
    assert "row 2: value read from the quote, which prints “73”" in result.out
    assert "row 3: value, unit and bound read from the quote, which prints “roughly 1,500 tons”" in result.out
    claim = Claim.objects.get(article__slug=CHINA_DAILY, figure__slug="demeter-v-waste-seized-china-customs")
    assert (claim.value, claim.unit, claim.bound) == (1500, "t", "about")
    assert Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"]).value == 73


def test_a_row_leaving_its_value_to_a_quote_of_several_numbers_is_refused_naming_them(seed, tmp_path):
    before = database_state()
    row = claim_row(
        figure="demeter-v-cases-all-countries",
        quote="of which 85 cases involved China customs, which seized roughly 1,500 tons",
    )
    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, row])
    assert_refused(
        result,
        ["row 2, column value: is empty, and the quote prints “85”, “roughly 1,500”, not exactly one number: give it"],
        before,
    )
