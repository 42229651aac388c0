"""Every figure's derived state recomputed under the rules as they now stand: the misattribution
rule now links values that agree once rounded, and only measures declared comparable, so hints
stored under the old rule would otherwise stay until their figures were next edited.

It calls the app's own `refresh_figures`, not a copy of the rule frozen here: the rule is the
point. That function names the columns it reads, so later columns do not trouble it.
"""

from django.db import migrations

BATCH = 1000


def refresh_every_figure(apps, schema_editor):
    from archive.derivation import refresh_figures

    ids = list(apps.get_model("archive", "Figure").objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        refresh_figures(ids[start : start + BATCH])


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0013_editors_edit_parts_and_origins"),
    ]

    operations = [
        migrations.RunPython(refresh_every_figure, migrations.RunPython.noop),
    ]
