"""The time the data version last rose, which public pages give as their Last-Modified.

One trigger on the version's own row sets it whenever the version rises, so every table whose
trigger raises the version (migration 0004, and any added since or later) moves the time too.
On PostgreSQL the version rises at commit, and `clock_timestamp()` is that moment, not the
transaction's start. SQLite keeps Django's text form of a UTC time, to the millisecond.
"""

from django.db import migrations, models

POSTGRESQL_FUNCTION = """
CREATE FUNCTION archive_data_version_changed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_at := clock_timestamp();
    RETURN NEW;
END $$;
"""


def changed_at_trigger(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
            cursor.execute(
                "CREATE TRIGGER archive_dataversion_sets_changed_at BEFORE UPDATE OF version "
                "ON archive_dataversion FOR EACH ROW EXECUTE FUNCTION archive_data_version_changed_at()"
            )
            cursor.execute("UPDATE archive_dataversion SET changed_at = clock_timestamp()")
        else:
            now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
            cursor.execute(
                "CREATE TRIGGER archive_dataversion_sets_changed_at AFTER UPDATE OF version ON archive_dataversion "
                f"BEGIN UPDATE archive_dataversion SET changed_at = {now} WHERE id = NEW.id; END"
            )
            cursor.execute(f"UPDATE archive_dataversion SET changed_at = {now}")


def drop_changed_at_trigger(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER archive_dataversion_sets_changed_at ON archive_dataversion")
            cursor.execute("DROP FUNCTION archive_data_version_changed_at()")
        else:
            cursor.execute("DROP TRIGGER archive_dataversion_sets_changed_at")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_dismissed_numbers"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="changed_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(changed_at_trigger, drop_changed_at_trigger),
    ]
