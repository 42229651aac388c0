"""What readers see of the edit history: when each value on a figure was added or changed."""

from dataclasses import dataclass
from datetime import datetime

from .models import Claim, format_decimal
from .vocabulary import Bound, Status, Unit

# What a reader needs to trust a correction; notes and positions are the editors' business.
TRACKED = ("value", "unit", "bound", "status", "quote")


@dataclass(frozen=True)
class ValueEvent:
    claim_id: int
    when: datetime
    kind: str  # "added", "republished" or "changed"
    before: str  # the value as it read before, or "" when added
    after: str

    def describe(self):
        if self.kind == "added":
            return f"added as {self.after}"
        if self.kind == "republished":
            return f"published again as {self.after}"
        if self.before == self.after:
            return "quote corrected"
        return f"changed from {self.before} to {self.after}"


def reading(row):
    bound = "" if row.bound == Bound.EXACT else f"{Bound(row.bound).label} "
    unit = "" if row.unit == Unit.COUNT else f" {Unit(row.unit).label}"
    return f"{bound}{format_decimal(row.value)}{unit}"


def value_events(figure):
    """The published history of each claim now published on `figure`, oldest first (one query)."""
    rows = (
        Claim.history.filter(figure_id=figure.pk, id__in=Claim.objects.published().filter(figure=figure).values("pk"))
        .only("id", "history_date", "history_type", *TRACKED)
        .order_by("id", "history_date", "history_id")
    )
    events = []
    seen = {}
    for row in rows:
        previous = seen.get(row.id)
        seen[row.id] = row
        if row.status != Status.PUBLISHED:
            continue
        if previous is None:
            events.append(ValueEvent(row.id, row.history_date, "added", "", reading(row)))
        elif previous.status != Status.PUBLISHED:
            events.append(ValueEvent(row.id, row.history_date, "republished", "", reading(row)))
        elif any(getattr(previous, field) != getattr(row, field) for field in TRACKED):
            events.append(ValueEvent(row.id, row.history_date, "changed", reading(previous), reading(row)))
    return sorted(events, key=lambda event: event.when)
