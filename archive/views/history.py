"""What readers see of the edit history: when each value on a figure was added or changed."""

from dataclasses import dataclass
from datetime import datetime

from ..models import Article, Claim
from ..vocabulary import Status
from .wording import amount

# What a reader needs to trust a correction; notes and positions are the editors' business.
TRACKED = ("value", "value_high", "unit", "bound", "status", "quote")


@dataclass(frozen=True)
class ValueEvent:
    claim_id: int
    when: datetime
    kind: str  # "added", "republished", "changed" or "withdrawn"
    before: str  # the value as it read before, or "" when added
    after: str  # the value as it reads after, or "" when withdrawn
    source: str = ""  # the outlet, for a value no longer on the figure's page
    reason: str = ""  # why it was withdrawn, as the editor gave it

    def describe(self):
        if self.kind == "added":
            return f"added as {self.after}"
        if self.kind == "republished":
            return f"published again as {self.after}"
        if self.kind == "withdrawn":
            return f"withdrawn ({self.before}): {self.reason}" if self.reason else f"withdrawn ({self.before})"
        if self.before == self.after:
            return "quote corrected"
        return f"changed from {self.before} to {self.after}"


def reading(row):
    return amount(row.value, row.unit, row.bound, words=True, high=row.value_high)


def value_events(figure):
    """The public history of each claim ever public on `figure`, oldest first (two queries).

    A value is public while its claim is published, on this figure and not deleted, and the
    claim's article is published. It is "added" when that first holds, as it reads at that moment,
    "published again" when it holds again, "changed" by each tracked change while it holds, and
    "withdrawn" when it stops holding (unpublished, deleted, moved to another figure, or its article
    unpublished or deleted), with the reason the editor gave: a value once public never silently
    leaves the record. What was edited while the claim or its article was a draft was never
    public, and is not shown."""
    claim_rows = list(
        Claim.history.filter(id__in=Claim.history.filter(figure_id=figure.pk).values("id"))
        .only("id", "article", "figure", "history_date", "history_type", "history_change_reason", *TRACKED)
        .order_by("history_date", "history_id")
    )
    article_rows = list(
        Article.history.filter(id__in={row.article_id for row in claim_rows})
        .select_related("outlet")
        .only("id", "outlet__name", "history_date", "history_type", "history_change_reason", "status")
        .order_by("history_date", "history_id")
    )
    outlets = {row.id: row.outlet.name for row in article_rows if row.outlet}
    # Before its first recorded version an article is taken to be as that version says, and with
    # none as it is now, published: records loaded without history are given a version afterwards.
    article_status = {}
    for row in article_rows:
        article_status.setdefault(row.id, row.status)
    # At one instant, the article's change comes first: the claim's row is read against it.
    timeline = sorted(
        [(row.history_date, 0, row) for row in article_rows] + [(row.history_date, 1, row) for row in claim_rows],
        key=lambda entry: entry[:2],
    )
    latest = {}  # each claim's latest row
    public = {}  # each claim's row last seen public, while it is public
    events = []
    for when, is_claim, row in timeline:
        if is_claim:
            latest[row.id] = row
            touched = [row]
        else:
            article_status[row.id] = Status.DRAFT if row.history_type == "-" else row.status
            touched = [claim for claim in latest.values() if claim.article_id == row.id]
        for claim in touched:
            shown = public.pop(claim.id, None)
            if (
                claim.status != Status.PUBLISHED
                or claim.history_type == "-"
                or claim.figure_id != figure.pk
                or article_status.get(claim.article_id, Status.PUBLISHED) != Status.PUBLISHED
            ):
                if shown is not None:
                    source = outlets.get(claim.article_id, "")
                    reason = row.history_change_reason or ""
                    events.append(ValueEvent(claim.id, when, "withdrawn", reading(shown), "", source, reason))
                continue
            public[claim.id] = claim
            if shown is None:
                kind = "republished" if any(event.claim_id == claim.id for event in events) else "added"
                events.append(ValueEvent(claim.id, when, kind, "", reading(claim)))
            elif any(getattr(shown, field) != getattr(claim, field) for field in TRACKED):
                events.append(ValueEvent(claim.id, when, "changed", reading(shown), reading(claim)))
    return events
