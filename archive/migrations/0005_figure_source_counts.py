"""Each figure's count of published sources and claims, kept with its status: the public lists
count, sort and facet figures by them instead of aggregating every claim.

SQLite adds these columns by rebuilding the figure table, which drops its data-version
triggers (migration 0004); they are created again here.
"""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_published(apps, schema_editor):
    Figure = apps.get_model("archive", "Figure")
    Claim = apps.get_model("archive", "Claim")
    published = (
        Claim.objects.filter(figure=OuterRef("pk"), status="published", article__status="published")
        .order_by()
        .values("figure")
    )
    Figure.objects.update(
        source_count=Coalesce(Subquery(published.annotate(n=Count("article", distinct=True)).values("n")), 0),
        published_claim_count=Coalesce(Subquery(published.annotate(n=Count("pk")).values("n")), 0),
    )


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for event in ("INSERT", "UPDATE", "DELETE"):
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS archive_figure_{event.lower()}_raises_data_version AFTER {event} "
                "ON archive_figure BEGIN UPDATE archive_dataversion SET version = version + 1; END"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_scale"),
    ]

    operations = [
        migrations.AddField(
            model_name="figure",
            name="published_claim_count",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="Published claims of the figure."),
        ),
        migrations.AddField(
            model_name="figure",
            name="source_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, help_text="Published articles that give the figure a value."
            ),
        ),
        migrations.AddField(
            model_name="historicalfigure",
            name="published_claim_count",
            field=models.PositiveIntegerField(default=0, editable=False, help_text="Published claims of the figure."),
        ),
        migrations.AddField(
            model_name="historicalfigure",
            name="source_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, help_text="Published articles that give the figure a value."
            ),
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(count_published, migrations.RunPython.noop),
    ]
