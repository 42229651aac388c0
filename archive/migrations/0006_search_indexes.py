"""Trigram indexes for the public and admin searches on PostgreSQL.

Searches match `icontains`, which PostgreSQL runs as `UPPER(column) LIKE UPPER('%term%')`:
without these each search reads every claim. Each index serves one column's subquery
(`filters.matching`); an OR across joined tables could not use them. The indexes need the
pg_trgm extension, which a database owner may create; where it cannot be created, searches
still work, reading every row. SQLite has no trigram index and reads every row.
"""

from django.db import DatabaseError, migrations

INDEXES = {
    "claim_quote_trgm": ("archive_claim", "quote"),
    "claim_value_printed_trgm": ("archive_claim", "value_printed"),
    "figure_title_trgm": ("archive_figure", "title"),
    "figure_subject_trgm": ("archive_figure", "subject"),
    "figure_notes_trgm": ("archive_figure", "notes"),
    "article_title_trgm": ("archive_article", "title"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT create_pg_trgm")
                cursor.execute("CREATE EXTENSION pg_trgm")
                cursor.execute("RELEASE SAVEPOINT create_pg_trgm")
            except DatabaseError as error:  # not permitted or not installed: searches work, unindexed
                cursor.execute("ROLLBACK TO SAVEPOINT create_pg_trgm")
                print(f"\n  Search indexes not created: the pg_trgm extension could not be created ({error}).")
                return
        for name, (table, column) in INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_figure_source_counts"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
