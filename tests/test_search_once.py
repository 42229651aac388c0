"""A search is run once per request: the list's count, facets and page, and the search page's
groups, read the keys it found. Words are found at the start of a word, through full-text
search and its GIN indexes on PostgreSQL."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.filters import (
    ArticleFilter,
    ClaimFilter,
    FigureFilter,
    OperationFilter,
    among,
    search_operations,
    searching,
    words_in,
)
from archive.models import Article, Claim, Figure

from . import public_data as make

INDEXES = importlib.import_module("archive.migrations.0018_full_text_search_indexes").INDEXES
MODELS = {"archive_claim": Claim, "archive_figure": Figure, "archive_article": Article}


@pytest.fixture
def pangolins(db):
    """Two figures with claims and articles that speak of pangolin scales, and one that does not."""
    operation = make.operation(name="Operation Pangolin Shield")
    scales = make.figure(title="Pangolin scales seized", within=operation)
    trade = make.figure(title="Smuggling cases", subject="pangolin-trafficking", measure="cases", within=operation)
    other = make.figure(title="Ivory seized")
    body = "Customs seized 1,237 kg of pangolin scales. Pangolin's trade: 12 cases. Ivory: 3 t."
    article = make.article(body, title="Pangolin scales")
    make.claim(article, scales, "Customs seized 1,237 kg of pangolin scales", 1237, unit="kg")
    make.claim(article, trade, "Pangolin's trade: 12 cases", 12, unit="count")
    make.claim(article, other, "Ivory: 3 t", 3)
    return {"scales": scales, "trade": trade, "other": other}


def searched(filterset_class, query):
    filterset = filterset_class({"q": query}, queryset=filterset_class.public())
    assert filterset.is_valid()
    return filterset.qs


def queries_naming(sql_of, term):
    return [query for query in sql_of.captured_queries if term in query["sql"].lower()]


@pytest.mark.parametrize("url", ["/figures/?q=pangolin", "/claims/?q=pangolin", "/articles/?q=pangolin"])
def test_it_searches_once_for_the_count_every_facet_and_the_page(client, pangolins, url):
    with CaptureQueriesContext(connection) as sql_of:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count > 0
    # Every other query reads the keys found, not the searched tables.
    assert len(queries_naming(sql_of, "pangolin")) == 1


def test_the_search_page_searches_each_kind_once(client, pangolins):
    with CaptureQueriesContext(connection) as sql_of:
        response = client.get("/search/?q=pangolin")
    # The claim of ivory is in the article titled "Pangolin scales".
    assert [group["count"] for group in response.context["groups"]] == [2, 3, 1, 1]
    # Figures, claims and articles once each; the few operations are counted and listed.
    assert len(queries_naming(sql_of, "pangolin")) == 3 + 2


def test_a_facet_counts_the_rows_the_search_found(client, pangolins):
    response = client.get("/figures/?q=pangolin")
    [operation] = [facet for facet in response.context["facets"] if facet.name == "operation"]
    assert [(option.label, option.count) for option in operation.options] == [("Operation Pangolin Shield", 2)]


def test_a_word_is_found_at_the_start_of_any_word_of_any_field(pangolins):
    for query, expected in [
        ("pangolin", {"scales", "trade"}),
        ("PANGOLIN", {"scales", "trade"}),
        ("pango", {"scales", "trade"}),
        ("trafficking", {"trade"}),
        ("pangolin scales", {"scales"}),
        ("scales pangolin", {"scales"}),
    ]:
        slugs = set(searched(FigureFilter, query).values_list("slug", flat=True))
        assert slugs == {pangolins[name].slug for name in expected}, query
    assert searched(ClaimFilter, "pangolin").count() == 3
    assert searched(ArticleFilter, "pangolin").count() == 1


def test_a_part_inside_a_word_finds_nothing(pangolins):
    # A deliberate change: "golin" found "pangolin" when a search matched any part of the text.
    assert not searched(FigureFilter, "golin").exists()
    assert not searched(ClaimFilter, "golin").exists()
    assert not searched(ArticleFilter, "angolin").exists()


def test_a_number_or_punctuation_is_found_anywhere_in_the_text(pangolins):
    assert set(searched(ClaimFilter, "1,237").values_list("figure__slug", flat=True)) == {pangolins["scales"].slug}
    assert set(searched(ClaimFilter, "lin's").values_list("figure__slug", flat=True)) == {pangolins["trade"].slug}
    assert searched(ArticleFilter, "237 kg").count() == 1


def test_any_number_of_keys_is_one_parameter(pangolins):
    keys = [*range(10**6, 10**6 + 50_000), pangolins["other"].pk]
    assert list(Figure.objects.filter(among("pk", keys))) == [pangolins["other"]]
    assert not Figure.objects.filter(among("pk", [])).exists()


@pytest.fixture
def punctuated(db):
    """Articles whose words run into paths, addresses, hyphens, apostrophes and numbers."""
    bodies = {
        "path": "Seized ivory/rhino horn at the port.",
        "host": "Reported by www.customs.gov.cn on Monday.",
        "hyphen": "An anti-smuggling drive with Côte d'Ivoire's customs.",
        "email": "Write to press@example.org about 12kg and 1e5kg.",
    }
    return {make.article(body, title=f"Article {name}").pk: name for name, body in bodies.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rhino", {"path"}),
        ("ivory", {"path"}),
        ("customs", {"host", "hyphen"}),
        ("gov", {"host"}),
        ("smuggl", {"hyphen"}),
        ("anti", {"hyphen"}),
        ("ivoire", {"hyphen"}),
        ("example", {"email"}),
        ("press", {"email"}),
        # Parts inside a word: after a letter, a digit or a number's exponent.
        ("te", set()),
        ("kg", set()),
        ("org", {"email"}),
        ("ustoms", set()),
    ],
)
def test_words_are_split_at_every_character_that_is_not_a_letter_or_digit(punctuated, query, expected):
    """PostgreSQL's full-text parser reads a path, a host name, an email address or "1e5kg" as one
    token: the words within them must be found, on every database alike."""
    assert {punctuated[pk] for pk in searched(ArticleFilter, query).values_list("pk", flat=True)} == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thunder", {"Operation Thunderbird"}),
        ("ball", {"Operation Thunderbird"}),
        ("wildlife", {"Operation Thunderbird"}),
        ("demeter", {"Operation Demeter"}),
        ("operation", {"Operation Thunderbird", "Operation Demeter"}),
        ("under", set()),
        ("meter", set()),
        ("ildlife", set()),
    ],
)
def test_an_operation_is_found_by_a_word_of_its_name_alias_or_focus(db, query, expected):
    make.operation(name="Operation Thunderbird", aliases=["Thunder-Ball"], focus="wildlife/timber crime")
    make.operation(name="Operation Demeter", focus="waste")
    assert set(search_operations(query).values_list("name", flat=True)) == expected
    assert set(searched(OperationFilter, query).values_list("name", flat=True)) == expected


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes are PostgreSQL's")


def plan(queryset):
    with connection.cursor() as cursor:
        # A test table is tiny: forbid reading it whole so the planner shows what it can use.
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
    return queryset.explain()


@postgresql_only
@pytest.mark.parametrize(("index", "table", "columns"), [(name, *spec) for name, spec in INDEXES.items()])
def test_each_full_text_index_serves_the_search_of_its_columns(db, index, table, columns):
    """The index's expression must be the one `Words` writes, or it is never used."""
    assert index in plan(searching(MODELS[table], "ivory", *columns))


@postgresql_only
def test_the_claims_search_reads_the_other_tables_through_their_indexes(db):
    found = plan(ClaimFilter.public().filter(ClaimFilter({}).matches("ivory")).values("pk"))
    assert "figure_title_search" in found and "article_title_search" in found
    # Each table's keys as an array, which the claims' indexes on those keys serve.
    assert "figure_id = ANY ($" in found and "article_id = ANY ($" in found


@postgresql_only
def test_a_term_that_is_not_a_word_is_found_through_the_trigram_index(db):
    assert "claim_quote_trgm" in plan(Claim.objects.filter(words_in(["quote"], "1,237")))
