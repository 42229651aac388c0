"""The possible-misattribution rule: when one number looks given to two actors.

Two published claims point to a possible misattribution when their figures belong to the same
operation, are about different organisations or scopes, measure things declared comparable
(`COMPARABLE_MEASURES` in `archive/vocabulary.py`: cases and seizures may be one number under
two names, arrests and participating countries never are), the two claims come from different
outlets, and their values agree by one of two rules, compared in the base unit:

- `SAME`, "the same value": the same amount, or the same range (1,828 cases and 1,828 seizures);
- `ROUNDED`, "the same value once rounded": the printed numbers overlap once each is widened by
  the precision it was printed with, the interval behind the "minor" status (`archive/status.py`):
  4,585 t (4,584 to 4,586 t) and 4,584.7 t (4,584.6 to 4,584.8 t), not 4,585 t and 4,595 t.

The bound words are not read: "more than 1,000" would otherwise agree with every larger number.

`archive/derivation.py` stores the linked figures; the public pages say which rule fired from
the two figures' claims (`archive/views/hints.py`).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from .status import Reading, value_range
from .vocabulary import Bound, comparison_group

SAME = "the same value"
ROUNDED = "the same value once rounded"


@dataclass(frozen=True)
class Value:
    """A claim's value as the rule reads it, in the base unit."""

    value: Decimal
    high: Decimal | None
    precision: Decimal


def printed_range(value):
    """The amounts a printed number may have been rounded from."""
    return value_range(Reading(None, value.value, Bound.EXACT, value.precision, value.high), value.precision)


def agreement(one, other):
    """`SAME`, `ROUNDED` or None: whether two `Value`s agree, and by which rule."""
    if (one.value, one.high) == (other.value, other.high):
        return SAME
    (low, high), (other_low, other_high) = printed_range(one), printed_range(other)
    if max(low, other_low) <= min(high, other_high):
        return ROUNDED
    return None


@dataclass(frozen=True)
class Stated:
    """A published claim as the derivation reads it."""

    figure_id: int
    organisation_id: int
    measure: str
    value: Value
    outlet_id: int


def linked_pairs(claims, affected):
    """The pairs of figures (smaller id first) the claims of one operation link, where one of
    the two is in `affected`. Each group of comparable measures is swept in order of its
    printed ranges, so only values whose ranges overlap are compared."""
    # Claims of one figure stating the same value count once, with every outlet stating it.
    outlets = defaultdict(set)
    for claim in claims:
        outlets[claim.figure_id, claim.organisation_id, comparison_group(claim.measure), claim.value].add(
            claim.outlet_id
        )
    groups = defaultdict(list)
    for (figure_id, organisation_id, group, value), stated_by in outlets.items():
        low, high = printed_range(value)
        groups[group].append((low, high, figure_id, organisation_id, stated_by))
    pairs = set()
    for readings in groups.values():
        readings.sort(key=lambda reading: reading[0])
        # The ranges still open at each low end: all of them, and those of the affected figures,
        # which alone a figure outside `affected` is compared with.
        open_ranges, open_affected = [], []
        for reading in readings:
            low, high, figure_id, organisation_id, stated_by = reading
            if figure_id in affected:
                open_ranges = candidates = [earlier for earlier in open_ranges if earlier[1] >= low]
            else:
                open_affected = candidates = [earlier for earlier in open_affected if earlier[1] >= low]
            for _, _, other_id, other_organisation, other_outlets in candidates:
                # Some claim of each from a different outlet: not both from one and the same.
                if other_organisation != organisation_id and not (len(stated_by) == 1 and stated_by == other_outlets):
                    pairs.add((min(figure_id, other_id), max(figure_id, other_id)))
            open_ranges.append(reading)
            if figure_id in affected:
                open_affected.append(reading)
    return pairs
