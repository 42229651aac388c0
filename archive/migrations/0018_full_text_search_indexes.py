"""Full-text search indexes for the public search on PostgreSQL.

A searched word is a prefix query over the words of the searched fields (`filters.words_in`):
`to_tsvector('simple', ...)` of the fields joined, with every character that is not a letter or
digit made a space (`filters.Words`, whose expression this repeats). Each index is on that very
expression, which the planner matches, and serves one searched table's subquery
(`filters.searching`). An article's body had no index: a search read every body. Terms that
are not words (numbers, punctuation) still match as text, through the trigram indexes of
migration 0006. SQLite has no such index and reads every row.
"""

from django.db import migrations

INDEXES = {
    "claim_quote_search": ("archive_claim", ["quote"]),
    "figure_text_search": ("archive_figure", ["title", "subject", "notes"]),
    "figure_title_search": ("archive_figure", ["title"]),
    "article_text_search": ("archive_article", ["title", "body", "byline"]),
    "article_title_search": ("archive_article", ["title"]),
}


NOT_WORDS = r"[^[:alnum:]]+|(?<![[:alnum:]])[0-9][[:alnum:]]*"


def vector(columns):
    joined = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
    return f"to_tsvector('simple'::regconfig, regexp_replace({joined}, '{NOT_WORDS}', ' ', 'g'))"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, (table, columns) in INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON {table} USING gin (({vector(columns)}))")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0017_figure_sort_indexes"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
