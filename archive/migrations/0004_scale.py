"""The data version public pages are cached under, and indexes the public lists need.

Every table the public pages read raises the data version on each committed write. On
PostgreSQL the trigger is deferred to the commit, where it raises the version once per
statement (the COMMIT, so once per transaction, however many rows it wrote): the new version
becomes visible together with the data, and no transaction holds the version's row while it
waits for another lock. Tests, which never commit, make the triggers immediate (`SET
CONSTRAINTS ... IMMEDIATE`), so each writing statement raises it. SQLite writes one
transaction at a time and raises the version on every row.
"""

from django.db import migrations, models

DATA_TABLES = [
    "archive_outlet",
    "archive_organisation",
    "archive_person",
    "archive_operation",
    "archive_operation_coordinators",
    "archive_operationalias",
    "archive_article",
    "archive_figure",
    "archive_figure_possible_misattributions",
    "archive_claim",
]
DEFERRED_TRIGGERS = [f"{table}_raises_data_version" for table in DATA_TABLES]

POSTGRESQL_FUNCTION = """
CREATE FUNCTION archive_raise_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('archive.data_version_raised', true) IS DISTINCT FROM statement_timestamp()::text THEN
        UPDATE archive_dataversion SET version = version + 1;
        PERFORM set_config('archive.data_version_raised', statement_timestamp()::text, true);
    END IF;
    RETURN NULL;
END $$;
"""


def data_version_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
            for table in DATA_TABLES:
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {table}_raises_data_version AFTER INSERT OR UPDATE OR DELETE "
                    f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    "EXECUTE FUNCTION archive_raise_data_version()"
                )
                cursor.execute(
                    f"CREATE TRIGGER {table}_truncate_raises_data_version AFTER TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION archive_raise_data_version()"
                )
        else:
            for table in DATA_TABLES:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_{event.lower()}_raises_data_version AFTER {event} ON {table} "
                        "BEGIN UPDATE archive_dataversion SET version = version + 1; END"
                    )
        cursor.execute("INSERT INTO archive_dataversion (id, version) VALUES (1, 1)")


def drop_data_version_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            for table in DATA_TABLES:
                cursor.execute(f"DROP TRIGGER {table}_raises_data_version ON {table}")
                cursor.execute(f"DROP TRIGGER {table}_truncate_raises_data_version ON {table}")
            cursor.execute("DROP FUNCTION archive_raise_data_version()")
        else:
            for table in DATA_TABLES:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER {table}_{event}_raises_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_history_and_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(data_version_triggers, drop_data_version_triggers),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["figure", "article"],
                name="claim_published_figure_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(fields=["title", "id"], name="figure_title_idx"),
        ),
    ]
