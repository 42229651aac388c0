"""Searching claims' printed values through their quotes: value_printed has no trigram index
since migration 0007, and every search that found a claim by its printed value still finds it."""

import pytest
from django.db import connection

from archive.filters import matching
from archive.models import Claim

from . import public_data as make

# (article body, the claim's quote, its value, its bound): the body and the quote may break
# their lines and space their words differently.
CLAIMS = [
    ("Intro. Customs seized roughly 1,500 tonnes of waste. Outro.", "seized roughly 1,500 tonnes", 1500, "about"),
    ("Intro. Customs seized roughly\n  2,500 tonnes of waste. Outro.", "seized roughly 2,500 tonnes", 2500, "about"),
    ("Intro. Customs seized roughly 3,500 tonnes of waste. Outro.", "seized  roughly\n3,500 tonnes", 3500, "about"),
    ("Intro. They seized more than\u00a04,500 tonnes. Outro.", "seized more than 4,500 tonnes", 4500, "more_than"),
    ("Intro. Officers seized 5,500 tonnes of ivory. Outro.", "Officers seized 5,500 tonnes", 5500, "exact"),
]
TERMS = [
    "1,500",
    "ROUGHLY",
    "roughly 2,500",
    "roughly 3,500",
    "roughly  1,500",
    "roughly\n2,500",
    "more than 4,500",
    "than\u00a04,500",
    " 4,500",
    "ly 1,5",
    " ",
    "5,500",
    "tonnes",
    "nothing like this",
]


@pytest.fixture
def claims(db):
    figure = make.figure()
    return [make.claim(make.article(body), figure, quote, value, bound=bound) for body, quote, value, bound in CLAIMS]


@pytest.mark.parametrize("term", TERMS)
def test_a_search_of_printed_values_finds_every_claim_whose_printed_value_holds_the_term(claims, term):
    printed = {claim.pk for claim in claims if term.casefold() in claim.value_printed.casefold()}
    found = set(matching(Claim, term, "value_printed").values_list("pk", flat=True))
    assert printed <= found
    # What else it finds holds the term in its quote, whitespace aside.
    for claim in Claim.objects.filter(pk__in=found - printed):
        assert " ".join(term.casefold().split()) in " ".join(claim.quote.casefold().split())


def test_the_printed_values_lie_in_their_quotes_whitespace_aside(claims):
    assert {claim.value_printed for claim in claims} >= {"roughly\n  2,500", "more than\u00a04,500"}
    for claim in claims:
        assert " ".join(claim.value_printed.split()) in " ".join(claim.quote.split())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("term", ["ivory", "roughly 1,500"])
def test_a_search_of_printed_values_can_use_the_quote_s_trigram_index(db, term):
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
    plan = matching(Claim, term, "value_printed").explain()
    assert "claim_quote_trgm" in plan
    assert "claim_value_printed_trgm" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_value_printed_has_no_trigram_index_left(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'archive_claim'")
        assert "claim_value_printed_trgm" not in {name for (name,) in cursor.fetchall()}
