"""Migration 0014 recomputes every figure's derived state under the rules as they now stand, so
hints stored under an older rule do not outlive it."""

from importlib import import_module

from django.apps import apps

from archive.derivation import Misattribution
from archive.models import Figure

refresh_every_figure = import_module("archive.migrations.0014_refresh_derived_state").refresh_every_figure


def test_it_drops_hints_the_rule_no_longer_gives_and_adds_those_it_now_gives(seed):
    """A hint between measures not declared comparable, as the older rule gave, is dropped; the
    seed's own hints, deleted here as if stored before the rule found them, come back."""
    seeded = set(Misattribution.objects.values_list("from_figure__slug", "to_figure__slug"))
    assert seeded
    Misattribution.objects.all().delete()
    countries, seizures = (
        Figure.objects.get(slug="thunderball-2019-participating-countries"),
        Figure.objects.get(slug="thunderball-2019-seizures-china"),
    )
    Misattribution.objects.create(from_figure=countries, to_figure=seizures)  # 109 countries, 1,828 seizures
    Figure.objects.filter(pk=countries.pk).update(status="disputed")
    refresh_every_figure(apps, None)
    assert set(Misattribution.objects.values_list("from_figure__slug", "to_figure__slug")) == seeded
    assert Figure.objects.get(pk=countries.pk).status == "consistent"
