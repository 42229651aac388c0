"""A claim may state a range ("3,000 to 4,000"): its value is the low end, `value_high` the high
end, and `normalised_high` the high end in the base unit, derived like `normalised_value`.

SQLite adds these columns by rebuilding the claim table, which drops its data-version triggers
(migration 0004); they are created again here.
"""

from django.db import migrations, models

HELP = "The top of a range the quote prints (“3,000 to 4,000”, with 3,000 as the value); empty for a single number."


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for event in ("INSERT", "UPDATE", "DELETE"):
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS archive_claim_{event.lower()}_raises_data_version AFTER {event} "
                "ON archive_claim BEGIN UPDATE archive_dataversion SET version = version + 1; END"
            )


def high_value():
    return models.DecimalField("high value", max_digits=24, decimal_places=6, null=True, blank=True, help_text=HELP)


def normalised_high():
    return models.DecimalField(max_digits=30, decimal_places=6, null=True, editable=False)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_drop_value_printed_trigram"),
    ]

    operations = [
        migrations.AddField(model_name="claim", name="value_high", field=high_value()),
        migrations.AddField(model_name="claim", name="normalised_high", field=normalised_high()),
        migrations.AddField(model_name="historicalclaim", name="value_high", field=high_value()),
        migrations.AddField(model_name="historicalclaim", name="normalised_high", field=normalised_high()),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(value_high__isnull=True) | models.Q(value_high__gt=models.F("value")),
                name="claim_range_ordered",
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
