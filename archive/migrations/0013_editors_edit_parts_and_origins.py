"""The Editors group may add, change and delete the kinds of record added since it was made
(migration 0002): parts and wholes, and origins."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADDED_MODELS = ["partof", "origin"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="archive", content_type__model__in=ADDED_MODELS)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="archive", content_type__model__in=ADDED_MODELS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0012_origins_and_copies"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
