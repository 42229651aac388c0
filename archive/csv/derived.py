"""Figures' derived fields after a bulk import of claims, and what an import changed in them.

`refresh_figures()` leaves every given figure exactly as calling `Figure.refresh_derived()`
on each would (tests compare the two), in a few queries per thousand figures instead of
several per figure: the statuses through the same `figure_status()` rule, the possible
misattributions through the same conditions as `Figure.refresh_misattributions()`.
"""

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby, islice
from operator import itemgetter

from django.db.models import F

from archive.models import Claim, Figure, lock_figures
from archive.status import Reading, figure_status
from archive.vocabulary import MEASURE_DIMENSION, FigureStatus

CHUNK = 1000
Misattribution = Figure.possible_misattributions.through


def batched(iterable, size):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class Flags:
    """The disputed figures and the possible-misattribution pairs (smaller pk first)."""

    disputed: frozenset
    pairs: frozenset

    @classmethod
    def now(cls):
        disputed = Figure.objects.filter(status=FigureStatus.DISPUTED).values_list("pk", flat=True)
        pairs = Misattribution.objects.filter(from_figure_id__lt=F("to_figure_id")).values_list(
            "from_figure_id", "to_figure_id"
        )
        return cls(frozenset(disputed), frozenset(pairs))


def notices(before, after):
    """Sentences for an import's report: figures now (or no longer) disputed, new hints."""
    disputed = sorted(after.disputed - before.disputed)
    settled = sorted(before.disputed - after.disputed)
    pairs = sorted(after.pairs - before.pairs)
    involved = {*disputed, *settled, *(pk for pair in pairs for pk in pair)}
    names = {
        pk: f"“{title}” ({slug})"
        for pk, title, slug in Figure.objects.filter(pk__in=involved).values_list("pk", "title", "slug")
    }
    return [
        *(f"figure {names[pk]} is now disputed: its published sources disagree" for pk in disputed),
        *(f"figure {names[pk]} is no longer disputed" for pk in settled),
        *(
            f"possible misattribution: {names[a]} and {names[b]} are given the same value by different outlets"
            for a, b in pairs
        ),
    ]


def refresh_figures(figure_ids):
    """Under the same row locks as `Figure.refresh_derived()`: call it inside a transaction."""
    figure_ids = sorted(set(figure_ids))
    lock_figures(figure_ids)
    for chunk in batched(figure_ids, CHUNK):
        refresh_statuses(chunk)
    refresh_misattributions(figure_ids)


def misattributions(claims, affected):
    """The pairs of figures to link, from the published claims of one operation."""
    outlets = defaultdict(lambda: defaultdict(set))  # (dimension, value) -> figure -> outlets
    organisation = {}
    for _, figure_id, organisation_id, measure, value, outlet_id in claims:
        outlets[MEASURE_DIMENSION[measure], value][figure_id].add(outlet_id)
        organisation[figure_id] = organisation_id
    pairs = set()
    for by_figure in outlets.values():
        figures = sorted(by_figure)
        for i, one in enumerate(figures):
            for other in figures[i + 1 :]:
                if (
                    (one in affected or other in affected)
                    and organisation[one] != organisation[other]
                    and not (len(by_figure[one]) == 1 and by_figure[one] == by_figure[other])
                ):
                    pairs.add((one, other))
    return pairs


def refresh_statuses(figure_ids):
    readings = defaultdict(list)
    published = Claim.objects.published().filter(figure_id__in=figure_ids)
    for figure_id, *reading in published.values_list(
        "figure_id", "article_id", "normalised_value", "bound", "normalised_precision"
    ):
        readings[figure_id].append(Reading(*reading))
    changed = defaultdict(list)
    stored = Figure.objects.filter(pk__in=figure_ids).values_list(
        "pk", "status", "source_count", "published_claim_count"
    )
    for pk, *derived in stored:
        figure_readings = readings[pk]
        new = (
            figure_status(figure_readings),
            len({reading.article_id for reading in figure_readings}),
            len(figure_readings),
        )
        if new != tuple(derived):
            changed[new].append(pk)
    for (status, source_count, claim_count), pks in changed.items():
        Figure.objects.filter(pk__in=pks).update(
            status=status, source_count=source_count, published_claim_count=claim_count
        )


def refresh_misattributions(figure_ids):
    """Two figures of one operation, about different organisations and measuring the same
    dimension, are linked when a published claim of each gives the same value and the two
    claims come from different outlets: `Figure.refresh_misattributions()` pairwise."""
    affected = set(figure_ids)
    operations = set(
        Figure.objects.filter(pk__in=figure_ids, operation__isnull=False).values_list("operation_id", flat=True)
    )
    pairs = set()
    for chunk in batched(sorted(operations), CHUNK):
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
                "article__outlet_id",
            )
        )
        for _, claims in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
            pairs |= misattributions(claims, affected)
    for chunk in batched(figure_ids, CHUNK):
        Misattribution.objects.filter(from_figure_id__in=chunk).delete()
        Misattribution.objects.filter(to_figure_id__in=chunk).delete()
    Misattribution.objects.bulk_create(
        [
            Misattribution(from_figure_id=a, to_figure_id=b)
            for one, other in pairs
            for a, b in ((one, other), (other, one))
        ],
        batch_size=CHUNK,
    )
