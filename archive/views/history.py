"""What readers see of the edit history: when each value on a figure was added or changed."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from ..models import Article, Claim
from ..status import Reading
from ..vocabulary import Status
from .wording import amount

# What a reader needs to trust a correction; notes and positions are the editors' business.
TRACKED = ("value", "value_high", "unit", "bound", "status", "quote")
# What the status rule reads of a value.
READ = ("normalised_value", "normalised_precision", "normalised_high")
# What the replay reads of a claim's version, and of an article's.
CLAIM_ROW = ("id", "article_id", "figure_id", "history_date", "history_type", "history_change_reason", *TRACKED, *READ)
ARTICLE_ROW = ("id", "outlet__name", "history_date", "history_type", "history_change_reason", "status")


@dataclass(frozen=True)
class ValueEvent:
    claim_id: int
    when: datetime
    kind: str  # "added", "republished", "changed" or "withdrawn"
    before: str  # the value as it read before, or "" when added
    after: str  # the value as it reads after, or "" when withdrawn
    source: str = ""  # the outlet, for a value no longer on the figure's page
    reason: str = ""  # why it was withdrawn, as the editor gave it
    figure_id: int | None = None
    outlet: str = ""  # the outlet, whatever the kind
    status_reading: Reading | None = None  # the value as the status rule reads it after, None when withdrawn

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
    """The public history of each claim ever public on `figure`, oldest first (two queries)."""
    return figure_value_events([figure.pk])


def figure_value_events(figure_ids):
    """The public history of each claim ever public on one of the figures, oldest first, each
    event naming its figure (two queries, whatever the number of figures).

    A value is public while its claim is published, on this figure and not deleted, and the
    claim's article is published. It is "added" when that first holds, as it reads at that moment,
    "published again" when it holds again, "changed" by each tracked change while it holds, and
    "withdrawn" when it stops holding (unpublished, deleted, moved to another figure, or its article
    unpublished or deleted), with the reason the editor gave: a value once public never silently
    leaves the record. What was edited while the claim or its article was a draft was never
    public, and is not shown."""
    figure_ids = set(figure_ids)
    # Plain rows rather than models: a feed replays thousands of them.
    claim_rows = list(
        Claim.history.filter(id__in=Claim.history.filter(figure_id__in=figure_ids).values("id"))
        .order_by("history_date", "history_id")
        .values_list(*CLAIM_ROW, named=True)
    )
    article_rows = list(
        Article.history.filter(id__in={row.article_id for row in claim_rows})
        .order_by("history_date", "history_id")
        .values_list(*ARTICLE_ROW, named=True)
    )
    outlets = {row.id: row.outlet__name for row in article_rows if row.outlet__name}
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
    claims_of = defaultdict(dict)  # each article's claims, by their latest rows
    public = {}  # each claim's row last seen public, while it is public
    shown_on = set()  # (claim, figure) of each value ever public
    events = []
    for when, is_claim, row in timeline:
        if is_claim:
            previous = latest.get(row.id)
            if previous is not None and previous.article_id != row.article_id:
                del claims_of[previous.article_id][row.id]
            latest[row.id] = claims_of[row.article_id][row.id] = row
            touched = [row]
        else:
            article_status[row.id] = Status.DRAFT if row.history_type == "-" else row.status
            touched = list(claims_of[row.id].values())
        for claim in touched:
            shown = public.pop(claim.id, None)
            outlet = outlets.get(claim.article_id, "")
            is_public = (
                claim.status == Status.PUBLISHED
                and claim.history_type != "-"
                and claim.figure_id in figure_ids
                and article_status.get(claim.article_id, Status.PUBLISHED) == Status.PUBLISHED
            )
            if shown is not None and (not is_public or shown.figure_id != claim.figure_id):
                reason = row.history_change_reason or ""
                event = ValueEvent(claim.id, when, "withdrawn", reading(shown), "", source=outlet, reason=reason)
                events.append(replace(event, figure_id=shown.figure_id, outlet=outlet))
                shown = None
            if not is_public:
                continue
            public[claim.id] = claim
            about = {"figure_id": claim.figure_id, "outlet": outlet, "status_reading": status_reading(claim)}
            if shown is None:
                kind = "republished" if (claim.id, claim.figure_id) in shown_on else "added"
                shown_on.add((claim.id, claim.figure_id))
                events.append(ValueEvent(claim.id, when, kind, "", reading(claim), **about))
            elif any(getattr(shown, field) != getattr(claim, field) for field in TRACKED):
                events.append(ValueEvent(claim.id, when, "changed", reading(shown), reading(claim), **about))
    return events


def status_reading(row):
    return Reading(row.article_id, row.normalised_value, row.bound, row.normalised_precision, row.normalised_high)
