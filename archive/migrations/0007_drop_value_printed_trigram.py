"""Drop the trigram index on a claim's `value_printed`.

Every printed value lies inside its quote: `value_printed` is the text of the body between the
claim's value positions, which lie inside the quote's span, and a quote is that span's words
with any whitespace between them. So a search term found in `value_printed` is found in the
quote, where the term's whitespace matches any whitespace: `filters.matching` searches the
quote (through `claim_quote_trgm`) instead of `value_printed`. Keeping the index cost every
claim written a second set of trigrams (about a twentieth of a claims import's writing time).
"""

from django.db import migrations

INDEX = "claim_value_printed_trgm"


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create_index(apps, schema_editor):
    """As migration 0006 made it, where pg_trgm is there (0006 skips every index without it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is not None:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON archive_claim USING gin (UPPER(value_printed) gin_trgm_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_search_indexes"),
    ]

    operations = [migrations.RunPython(drop_index, create_index)]
