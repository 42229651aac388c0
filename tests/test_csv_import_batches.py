"""The claims import across batches: each batch written while the next is checked, rows that
change nothing recognised without being located again, each distinct cell read once."""

import pytest

from archive.csv_io import claims as claims_import
from archive.models import Article, Claim

from . import public_data as make
from .csv_support import import_csv

HEADER = ["article", "figure", "quote", "value", "unit", "bound", "status", "note"]
ROWS = 30


def sentence(i):
    return f"In round {i} officers counted {100 + i} cases."


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(claims_import, "BATCH", 7)


@pytest.fixture
def archive(db):
    body = "The report.\n\n" + "  ".join(sentence(i) for i in range(ROWS))
    return make.article(body), make.figure(measure="cases")


def rows(archive, numbers=range(ROWS), **cells):
    article, figure = archive
    made = [HEADER]
    for i in numbers:
        row = {"article": article.slug, "figure": figure.slug, "quote": sentence(i), "value": str(100 + i)}
        row.update({"unit": "count", "bound": "exact", "status": "published", "note": ""})
        row.update({column: value(i) for column, value in cells.items()})
        made.append([row[column] for column in HEADER])
    return made


def history_count():
    return Claim.history.count()


def test_every_batch_is_written_in_file_order_with_its_history(archive, small_batches, tmp_path):
    result = import_csv(tmp_path, "claims", rows(archive))

    assert result.ok, result.err
    assert "30 created, 0 updated, 0 unchanged" in result.out
    article, _ = archive
    claims = list(Claim.objects.order_by("pk"))
    assert [claim.quote for claim in claims] == [sentence(i) for i in range(ROWS)]
    for claim in claims:
        assert article.body[claim.quote_start : claim.quote_end] == claim.quote
        assert article.body[claim.value_start : claim.value_end] == claim.value_printed
    assert sorted(Claim.history.filter(history_type="+").values_list("id", flat=True)) == [c.pk for c in claims]


def test_a_problem_in_the_last_batch_writes_nothing_of_the_earlier_ones(archive, small_batches, tmp_path):
    made = rows(archive)
    made[-1][HEADER.index("value")] = "999"

    result = import_csv(tmp_path, "claims", made)

    assert not result.ok
    assert [problem[:46] for problem in result.problems] == ["row 31, column value: The quote does not print"]
    assert Claim.objects.count() == 0
    assert history_count() == 0


def test_problems_of_every_batch_are_listed_in_row_order(archive, small_batches, tmp_path):
    made = rows(archive)
    made[2][HEADER.index("figure")] = "no-such-figure"
    made[25][HEADER.index("figure")] = "no-such-figure"
    made[26][HEADER.index("unit")] = "tonnes"

    result = import_csv(tmp_path, "claims", made)

    assert not result.ok
    assert [problem.split(":")[0] for problem in result.problems] == [
        "row 3, column figure",
        "row 26, column figure",
        "row 27, column unit",
    ]
    assert Claim.objects.count() == 0


def test_a_second_import_updates_what_changed_and_counts_the_rest_unchanged(archive, small_batches, tmp_path):
    assert import_csv(tmp_path, "claims", rows(archive)).ok
    made = rows(archive)
    made[5][HEADER.index("note")] = "checked again"
    made[9][HEADER.index("quote")] = sentence(8).replace(" ", "\n", 2)  # the same passage, spaced otherwise
    made[12][HEADER.index("status")] = "draft"
    before = history_count()

    result = import_csv(tmp_path, "claims", made)

    assert result.ok, result.err
    assert "0 created, 3 updated, 27 unchanged" in result.out
    assert history_count() == before + 3
    assert Claim.objects.get(quote=sentence(4)).note == "checked again"
    assert Claim.objects.filter(quote=sentence(8).replace(" ", "\n", 2), version=2).exists()
    assert Claim.objects.get(quote=sentence(11)).status == "draft"


def test_an_unchanged_row_twice_in_a_file_is_refused(archive, tmp_path):
    assert import_csv(tmp_path, "claims", rows(archive)).ok
    made = rows(archive)
    made.append(made[3])

    result = import_csv(tmp_path, "claims", made)

    assert not result.ok
    assert result.problems == [
        "row 32, column quote: row 4 already imports this claim (same article, figure and quote)"
    ]


def test_an_unchanged_row_still_finds_its_claim_after_the_body_moved_it(archive, tmp_path):
    assert import_csv(tmp_path, "claims", rows(archive)).ok
    article = Article.objects.get(pk=archive[0].pk)
    article.body = "A new first paragraph.\n\n" + article.body
    article.save()

    result = import_csv(tmp_path, "claims", rows(archive))

    assert result.ok, result.err
    assert "0 created, 0 updated, 30 unchanged" in result.out
    for claim in Claim.objects.all():
        assert article.body[claim.quote_start : claim.quote_end] == claim.quote


def test_a_refused_cell_repeated_on_many_rows_is_reported_on_each(archive, small_batches, tmp_path):
    made = rows(archive, figure=lambda i: "no-such-figure" if i % 10 == 0 else archive[1].slug)

    result = import_csv(tmp_path, "claims", made)

    assert not result.ok
    assert result.problems == [f"row {i + 2}, column figure: no figure with slug 'no-such-figure'" for i in (0, 10, 20)]
