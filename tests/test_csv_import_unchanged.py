"""Re-importing claims: a row that states exactly what its stored claim holds is recognised from
the cells it gives, without its article's body or its figure being read; any other row is
checked against every rule, as on its first import. And what an import does for its speed: it
pauses the collector of reference cycles, and gathers the planner's statistics after its commit."""

import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.csv_io import claims as claims_import
from archive.models import Claim

from . import public_data as make
from .csv_support import import_csv

HEADER = ["article", "figure", "quote", "value", "unit", "bound", "status", "note"]
ROWS = 28


def sentence(i):
    return f"In round {i} officers counted {100 + i} cases."


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(claims_import, "BATCH", 7)


@pytest.fixture
def archive(db):
    body = "The report.\n\n" + "  ".join(sentence(i) for i in range(ROWS))
    return make.article(body), make.figure(measure="cases")


def rows(archive, count=ROWS, header=HEADER, **cells):
    article, figure = archive
    made = [header]
    for i in range(count):
        row = {"article": article.slug, "figure": figure.slug, "quote": sentence(i), "value": str(100 + i)}
        row.update({"unit": "count", "bound": "exact", "status": "published", "note": ""})
        row.update({column: value(i) for column, value in cells.items()})
        made.append([row[column] for column in header])
    return made


def queries_of(tmp_path, made):
    with CaptureQueriesContext(connection) as queries:
        result = import_csv(tmp_path, "claims", made)
    assert result.ok, result.err
    return [query["sql"] for query in queries.captured_queries], result


def test_an_unchanged_file_reads_no_article_body_and_no_figure(archive, tmp_path):
    assert import_csv(tmp_path, "claims", rows(archive)).ok

    queries, result = queries_of(tmp_path, rows(archive))

    assert f"0 created, 0 updated, {ROWS} unchanged" in result.out
    measures = 'SELECT "archive_figure"."id" AS "pk", "archive_figure"."measure"'  # what checking a claim needs
    assert not [sql for sql in queries if '"archive_article"."body"' in sql or sql.startswith(measures)]


def test_an_unchanged_file_costs_one_query_a_batch_more_for_each_batch_more(archive, tmp_path):
    assert import_csv(tmp_path, "claims", rows(archive)).ok

    two_batches, _ = queries_of(tmp_path, rows(archive, count=14))
    four_batches, _ = queries_of(tmp_path, rows(archive, count=28))

    # Each batch reads the stored claims of its articles; the article, locked by the first, is not read again.
    assert len(four_batches) == len(two_batches) + 2


def test_a_row_that_leaves_columns_out_is_unchanged_when_what_it_gives_is_stored(archive, tmp_path):
    assert import_csv(tmp_path, "claims", rows(archive, note=lambda i: f"note {i}")).ok
    header = ["quote", "figure", "article", "unit", "bound", "value"]  # another order, and no status or note

    result = import_csv(tmp_path, "claims", rows(archive, header=header))

    assert result.ok, result.err
    assert f"0 created, 0 updated, {ROWS} unchanged" in result.out
    assert Claim.objects.get(quote=sentence(3)).note == "note 3"


def test_a_changed_cell_is_checked_against_every_rule_again(archive, tmp_path):
    assert import_csv(tmp_path, "claims", rows(archive)).ok

    result = import_csv(tmp_path, "claims", rows(archive, value=lambda i: "999" if i == 20 else str(100 + i)))

    assert not result.ok
    assert result.problems == ["row 22, column value: The quote does not print 999: it prints “20”, “120”."]


def test_text_that_is_escaped_or_refused_is_read_cell_by_cell(archive, tmp_path):
    formula = "=SUM(A1:A3) was in the source"
    assert import_csv(tmp_path, "claims", rows(archive, note=lambda i: formula if i == 4 else "")).ok

    unchanged = import_csv(tmp_path, "claims", rows(archive, note=lambda i: f"'{formula}" if i == 4 else ""))
    refused = import_csv(tmp_path, "claims", rows(archive, note=lambda i: "a\x00b" if i == 9 else ""))

    assert unchanged.ok, unchanged.err
    assert f"0 created, 0 updated, {ROWS} unchanged" in unchanged.out
    assert not refused.ok
    assert refused.problems == [
        "row 11, column note: contains a NUL character (byte 0) at position 2, which the archive cannot store; "
        "remove it and import again"
    ]


def test_an_import_leaves_the_collector_of_reference_cycles_as_it_found_it(archive, tmp_path):
    refused = rows(archive, value=lambda i: "999" if i == 20 else str(100 + i))

    assert import_csv(tmp_path, "claims", rows(archive)).ok
    assert gc.isenabled()
    assert not import_csv(tmp_path, "claims", refused).ok
    assert gc.isenabled()
    gc.disable()
    try:
        assert import_csv(tmp_path, "claims", rows(archive)).ok
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_bulk_import_gathers_the_statistics_the_readers_of_each_table_plan_with(db, tmp_path):
    make.figure()
    outlets = tmp_path / "outlets.csv"
    outlets.write_text("name\n" + "".join(f"Outlet number {index}\n" for index in range(1500)))

    assert import_csv(tmp_path, "outlets", outlets.read_bytes()).ok

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, attname, n_distinct FROM pg_stats WHERE tablename = ANY(%s)",
            [["archive_outlet", "archive_historicaloutlet", "archive_figure"]],
        )
        analysed = {(table, column): distinct for table, column, distinct in cursor.fetchall()}
    assert analysed["archive_outlet", "name"] == -1  # every name distinct, as imported
    for column in ("history_id", "id", "history_date", "history_user_id"):
        assert ("archive_historicaloutlet", column) in analysed
    for column in ("status", "source_count", "published_claim_count"):
        assert ("archive_figure", column) in analysed
