"""A figure's derived state, recomputed from its published claims for a batch of figures at
once: every writer calls `refresh_figures()`, a single save with a batch of one.

- status: the rule of `archive/status.py` over the figure's published claims in published
  articles;
- source_count: the published articles among them; published_claim_count: the claims;
- possible misattributions: two figures are linked, both ways, by the rule of
  `archive/misattribution.py` over the published claims of their operation: different
  organisations, comparable measures, values that agree (the same, or the same once rounded),
  from different outlets. A figure without an operation has no hints.

A refresh recomputes every hint that involves one of its figures and leaves the others alone.

The module reads the models, so it imports them; `archive/models.py`, which Django loads before
anything else of the app, imports it inside the methods that call it.
"""

from collections import defaultdict, namedtuple
from itertools import groupby
from operator import itemgetter

from django.db import transaction
from django.db.models import Q

from archive.misattribution import Stated, Value, linked_pairs
from archive.models import Claim, Figure, batched, lock_figures
from archive.status import Reading, figure_status

Misattribution = Figure.possible_misattributions.through
Derived = namedtuple("Derived", ["status", "source_count", "published_claim_count"])


def refresh_figures(figure_ids, locked=False):
    """Recompute the figures' status, counts and hints from the published claims as committed,
    and return each figure's `Derived` values by pk. Under the figures' row locks (see
    `lock_figures`; `locked` when the caller holds them already), so that of two writers
    changing a figure's claims at once, the second recomputes after the first has committed."""
    figure_ids = sorted(set(figure_ids) - {None})
    derived, operations = {}, set()
    with transaction.atomic():
        if not locked:
            lock_figures(figure_ids)
        for chunk in batched(figure_ids):
            operations |= _refresh_statuses(chunk, derived)
        _refresh_misattributions(figure_ids, operations)
    return derived


def _refresh_statuses(figure_ids, derived):
    """Store each figure's status and counts that changed, record all of them in `derived`, and
    return the figures' operations."""
    readings = defaultdict(list)
    published = Claim.objects.published().filter(figure_id__in=figure_ids)
    for figure_id, *reading in published.values_list(
        "figure_id", "article_id", "normalised_value", "bound", "normalised_precision", "normalised_high"
    ):
        readings[figure_id].append(Reading(*reading))
    changed = defaultdict(list)
    operations = set()
    stored = Figure.objects.filter(pk__in=figure_ids).values_list(
        "pk", "operation_id", "status", "source_count", "published_claim_count"
    )
    for pk, operation_id, *before in stored:
        figure_readings = readings[pk]
        derived[pk] = new = Derived(
            figure_status(figure_readings),
            len({reading.article_id for reading in figure_readings}),
            len(figure_readings),
        )
        if new != tuple(before):
            changed[new].append(pk)
        if operation_id is not None:
            operations.add(operation_id)
    for new, pks in changed.items():
        Figure.objects.filter(pk__in=pks).update(**new._asdict())
    return operations


def _refresh_misattributions(figure_ids, operations):
    affected = set(figure_ids)
    wanted = set()
    for chunk in batched(sorted(operations)):
        # One operation's claims at a time: the rows come ordered by operation.
        rows = (
            Claim.objects.published()
            .filter(figure__operation_id__in=chunk)
            .order_by("figure__operation_id")
            .values_list(
                "figure__operation_id",
                "figure_id",
                "figure__organisation_id",
                "figure__measure",
                "normalised_value",
                "normalised_high",
                "normalised_precision",
                "article__outlet_id",
            )
        )
        for _, claims in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
            stated = (
                Stated(figure_id, organisation_id, measure, Value(value, high, precision), outlet_id)
                for _, figure_id, organisation_id, measure, value, high, precision, outlet_id in claims
            )
            for one, other in linked_pairs(stated, affected):
                wanted |= {(one, other), (other, one)}
    stored = {}
    for chunk in batched(figure_ids):
        links = Misattribution.objects.filter(Q(from_figure_id__in=chunk) | Q(to_figure_id__in=chunk))
        stored.update({(a, b): pk for pk, a, b in links.values_list("pk", "from_figure_id", "to_figure_id")})
    # Only what changed is written: a refresh that finds the hints as they were writes nothing.
    gone = [pk for pair, pk in stored.items() if pair not in wanted]
    for chunk in batched(gone):
        Misattribution.objects.filter(pk__in=chunk).delete()
    Misattribution.objects.bulk_create(
        [Misattribution(from_figure_id=a, to_figure_id=b) for a, b in sorted(wanted - stored.keys())],
        batch_size=1000,
    )
