"""Trigram indexes on the articles' titles and bodies for the regular expressions with which an
operation's page finds the articles that print one of its names (`views.pages.naming`).

PostgreSQL runs `iregex` as `column ~* pattern`, which a trigram index on the column itself
serves (the indexes of 0006 are on `UPPER(column)`, for `icontains`): the index narrows the
articles to those holding the name's trigrams and the expression is checked on those alone,
so the page finds the same articles without reading every body. Like 0006 they need pg_trgm;
without it the page still works, reading every article.
"""

from django.db import migrations

INDEXES = {
    "article_title_regex_trgm": ("archive_article", "title"),
    "article_body_regex_trgm": ("archive_article", "body"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:  # 0006 could not create it: the names are found unindexed
            return
        for name, (table, column) in INDEXES.items():
            cursor.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0014_refresh_derived_state"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
