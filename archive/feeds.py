"""Atom feeds of what changes in the archive: figures that became disputed, new misattribution
hints, withdrawn values and new articles, for the whole archive and for each operation; and each
figure's own feed of its values (added, changed, withdrawn) and its status changes.

Every entry is dated by the record, never by the moment the feed is read:
- a value's events, and so a figure's status at any moment, are replayed from the claims' and
  articles' history (`views/history.py`): a figure *became disputed* at the change after which
  its public values, read by the status rule (`status.py`), disagree when before it they did not;
- a new article, when its history first shows it published;
- a misattribution hint, by the latest change to the public values of either of its two figures:
  the hints are derived, and the archive keeps the history of the values, not of the hints.

Only public data: values while their claim and its article are published, figures and articles
the public pages show.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views import View

from .filters import public_articles, public_claims, public_figures
from .models import Article, Claim, Operation
from .status import figure_status
from .views.base import PublicView
from .views.exports import LICENCE
from .views.hints import each_pair_once, hints_by_figure
from .views.history import figure_value_events
from .vocabulary import FigureStatus, Status

SITE = "Sourced Figures Archive"
ENTRIES = 50
# A feed replays the figures its latest changes touched, not every figure it follows: the latest
# history rows of its claims and of its articles, enough for its entries as the archive is edited.
LATEST_CHANGES = 200
# An empty feed was never updated: the start of the epoch rather than the moment it is read.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

KINDS = {
    "disputed": "figures that became disputed",
    "misattribution": "new possible misattributions",
    "withdrawn": "withdrawn values",
    "article": "new articles",
}
FIGURE_KINDS = {"value": "values added, changed and withdrawn", "status": "status changes"}


@dataclass(frozen=True)
class Entry:
    kind: str
    key: str  # what the entry is about: with the kind, and the date unless the entry is updated, its id
    when: datetime
    title: str
    text: str
    link: str
    updated: bool = False  # one entry updated in place (a hint), rather than one per event


class ArchiveAtom(Atom1Feed):
    def latest_post_date(self):
        return super().latest_post_date() if self.items else NEVER


def values_in_words(events):
    """ "China Daily gives about 1,500 tonnes; Global Times gives 4,585 tonnes" """
    return "; ".join(f"{event.outlet} gives {event.after}" for event in sorted(events, key=attrgetter("outlet")))


def status_changes(events):
    """(figure id, when, status before, status after, the public values after) for each change of
    a figure's status, replayed from its values' events: the events of one instant together."""
    shown = defaultdict(dict)  # figure -> claim -> the event that shows its value
    status = {}
    changes = []
    for when, group in groupby(events, key=attrgetter("when")):
        touched = set()
        for event in group:
            if event.kind == "withdrawn":
                shown[event.figure_id].pop(event.claim_id, None)
            else:
                shown[event.figure_id][event.claim_id] = event
            touched.add(event.figure_id)
        for figure_id in sorted(touched):
            values = list(shown[figure_id].values())
            after = figure_status(event.status_reading for event in values)
            before = status.get(figure_id, FigureStatus.UNSOURCED)
            if after != before:
                changes.append((figure_id, when, before, after, values))
            status[figure_id] = after
    return changes


def first_published():
    """When each article's history first shows it published."""
    rows = Article.history.filter(id=OuterRef("pk"), status=Status.PUBLISHED).order_by("history_date")
    return Subquery(rows.values("history_date")[:1])


class ChangesFeed(Feed):
    """The feed of a scope (the archive, an operation): its entries of the kinds asked for."""

    feed_type = ArchiveAtom
    author_name = SITE
    feed_copyright = f"{LICENCE['name']}: {LICENCE['url']}"
    kinds = KINDS

    def __init__(self, kinds):
        self.wanted = kinds

    def get_object(self, request, slug=None):
        self.host = request.get_host().split(":")[0]
        return None

    def scope(self, obj):
        """(the history rows of the claims the feed follows, those of its articles, its public
        figures, its public articles)."""
        raise NotImplementedError

    def window(self, obj):
        """(the public figures the latest changes touched, the public articles among them, and the
        time from which the entries are complete, or None).

        Each figure is replayed in full: from the later of the two oldest changes read, no entry
        is left out, and at that very moment those of the changes read are there (an import of
        thousands of claims at one instant shows some of them)."""
        claim_rows, article_rows, figures, articles = self.scope(obj)
        claims, since = latest_changes(claim_rows)
        changed_articles, articles_since = latest_changes(article_rows)
        since = max(since, articles_since) if since and articles_since else since or articles_since
        touched = Claim.history.filter(Q(id__in=claims) | Q(article_id__in=changed_articles)).values("figure_id")
        return figures.filter(pk__in=touched), new_articles(articles.filter(pk__in=changed_articles)), since

    def items(self, obj):
        figures, articles, since = self.window(obj)
        figures = {figure.pk: figure for figure in figures.only("pk", "slug", "title")}
        hints = []
        if "misattribution" in self.wanted:
            hints = each_pair_once(hint for found in hints_by_figure(list(figures)).values() for hint in found)
        # A hint is dated by the latest change to either of its figures: the other one is replayed too.
        replayed = set(figures) | {hint.other.pk for hint in hints}
        events = figure_value_events(replayed) if replayed else []
        entries = []
        if "withdrawn" in self.wanted:
            entries += [
                self.withdrawn(figures[event.figure_id], event)
                for event in events
                if event.kind == "withdrawn" and event.figure_id in figures
            ]
        if "disputed" in self.wanted:
            entries += [
                self.disputed(figures[figure_id], when, values)
                for figure_id, when, _, after, values in status_changes(events)
                if after == FigureStatus.DISPUTED and figure_id in figures
            ]
        if "misattribution" in self.wanted:
            latest = {event.figure_id: event.when for event in events}
            entries += [
                self.misattribution(hint, max(latest[hint.figure.pk], latest[hint.other.pk]))
                for hint in hints
                if hint.figure.pk in latest and hint.other.pk in latest
            ]
        if "article" in self.wanted:
            entries += [self.article(article) for article in articles if article.first_published]
        entries = [entry for entry in entries if since is None or entry.when >= since]
        return sorted(entries, key=lambda entry: (entry.when, entry.kind, entry.key), reverse=True)[:ENTRIES]

    def disputed(self, figure, when, values):
        return Entry(
            "disputed",
            f"figure-{figure.pk}",
            when,
            f"Disputed: {figure.title}",
            f"The sources' values disagree: {values_in_words(values)}.",
            figure.get_absolute_url(),
        )

    def withdrawn(self, figure, event):
        reason = f" The reason given: {event.reason}" if event.reason else ""
        return Entry(
            "withdrawn",
            f"claim-{event.claim_id}",
            event.when,
            f"Withdrawn: {event.outlet}'s {event.before} for {figure.title}",
            f"{event.outlet}'s value of {event.before} no longer stands for “{figure.title}”.{reason}",
            figure.get_absolute_url() + "#value-history",
        )

    def misattribution(self, hint, when):
        one, other = sorted((hint.figure, hint.other), key=attrgetter("pk"))
        return Entry(
            "misattribution",
            f"figures-{one.pk}-{other.pk}",
            when,
            f"Possible misattribution: {hint.figure.title} / {hint.other.title}",
            f"{hint.text}: {hint.rule}, given to two actors or scopes in the same operation. "
            "A prompt to check, not a verdict.",
            hint.figure.get_absolute_url(),
            updated=True,
        )

    def article(self, article):
        day = article.published_on
        published = f", {day.day} {day:%B %Y}" if day else ""
        return Entry(
            "article",
            f"article-{article.pk}",
            article.first_published,
            f"New article: {article.title} ({article.outlet.name})",
            f"{article.outlet.name}{published}: “{article.title}”, archived in full with each number it states.",
            article.get_absolute_url(),
        )

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        # Atom's summary is read as HTML: the text is escaped so that it stays text.
        return escape(entry.text)

    def item_link(self, entry):
        return entry.link

    def item_guid(self, entry):
        when = "" if entry.updated else f"/{entry.when.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}"
        return f"tag:{self.host},2026:{entry.kind}/{entry.key}{when}"

    def item_pubdate(self, entry):
        return None if entry.updated else entry.when

    def item_updateddate(self, entry):
        return entry.when

    def item_categories(self, entry):
        return [entry.kind]


class ArchiveFeed(ChangesFeed):
    title = f"{SITE}: what changed"
    subtitle = "Figures that became disputed, possible misattributions, withdrawn values and new articles."

    def link(self):
        return reverse("archive:home")

    def scope(self, obj):
        return Claim.history.all(), Article.history.all(), public_figures(), public_articles()


def latest_changes(rows):
    """The records in the latest `LATEST_CHANGES` of these history rows, and the date of the
    oldest of these rows, or None when there are no more."""
    rows = list(rows.order_by("-history_date", "-history_id").values_list("id", "history_date")[:LATEST_CHANGES])
    since = rows[-1][1] if len(rows) == LATEST_CHANGES else None
    return {pk for pk, _ in rows}, since


class OperationFeed(ChangesFeed):
    def get_object(self, request, slug):
        super().get_object(request)
        return get_object_or_404(Operation, slug=slug)

    def title(self, operation):
        return f"{operation.name}: what changed in the {SITE}"

    def subtitle(self, operation):
        return f"{operation.name}: disputes, possible misattributions, withdrawn values and new articles."

    def link(self, operation):
        return operation.get_absolute_url()

    def scope(self, operation):
        # Every claim ever on one of its figures, and every article that ever stated one. The
        # figures are named by their keys, which the history's figure index finds: joined to the
        # figures, the history is read whole.
        figure_ids = list(operation.figures.order_by().values_list("pk", flat=True))
        stated = Claim.history.filter(figure_id__in=figure_ids)
        stating = public_claims().filter(article=OuterRef("pk"), figure__operation=operation)
        return (
            Claim.history.filter(id__in=stated.values("id")),
            Article.history.filter(id__in=stated.values("article_id")),
            public_figures().filter(operation=operation),
            public_articles().filter(Exists(stating)),
        )


def new_articles(articles):
    """The latest articles first published, with what their entry says."""
    return (
        articles.select_related("outlet")
        .only("pk", "slug", "title", "published_on", "outlet__name")
        .annotate(first_published=first_published())
        .filter(first_published__isnull=False)
        .order_by("-first_published", "-pk")[:ENTRIES]
    )


class FigureFeed(ChangesFeed):
    """A figure's values as they were added, changed and withdrawn, and its status changes."""

    kinds = FIGURE_KINDS

    def get_object(self, request, slug):
        super().get_object(request)
        return get_object_or_404(public_figures().only("pk", "slug", "title"), slug=slug)

    def title(self, figure):
        return f"{figure.title}: its values in the {SITE}"

    def subtitle(self, figure):
        return "Each value as sources' articles give it, added, changed or withdrawn, and each change of status."

    def link(self, figure):
        return figure.get_absolute_url()

    def items(self, figure):
        events = figure_value_events([figure.pk])
        entries = []
        if "value" in self.wanted:
            entries += [self.value(figure, event) for event in events]
        if "status" in self.wanted:
            entries += [self.status(figure, *change[1:]) for change in status_changes(events)]
        return sorted(entries, key=lambda entry: (entry.when, entry.kind, entry.key), reverse=True)[:ENTRIES]

    def value(self, figure, event):
        reason = f" The reason given: {event.reason}" if event.kind == "withdrawn" and event.reason else ""
        return Entry(
            "value",
            f"claim-{event.claim_id}",
            event.when,
            f"{event.outlet}: {event.describe()}",
            f"{event.outlet}'s value for “{figure.title}”: {event.describe()}.{reason}".replace(
                ": withdrawn (", ": withdrawn ("
            ),
            figure.get_absolute_url() + "#value-history",
        )

    def status(self, figure, when, before, after, values):
        label = FigureStatus(after).label
        stated = f": {values_in_words(values)}" if values else ""
        return Entry(
            "status",
            f"figure-{figure.pk}",
            when,
            f"{label.capitalize()}: {figure.title}",
            f"“{figure.title}” is now {label.lower()}, was {FigureStatus(before).label.lower()}{stated}.",
            figure.get_absolute_url(),
        )


class FeedView(PublicView, View):
    """A feed, cached like the public pages under the data version; `kind` (repeatable) keeps
    entries of those kinds alone."""

    feed_class = ArchiveFeed
    queryset = None  # a feed of a record: the records it may be the feed of

    def read_parameters(self):
        return ["kind"]

    def get(self, request, *args, **kwargs):
        kinds = self.query.getlist("kind") or list(self.feed_class.kinds)
        unknown = [kind for kind in kinds if kind not in self.feed_class.kinds]
        if unknown:
            known = ", ".join(self.feed_class.kinds)
            return HttpResponse(
                f"“kind” must be one of {known}, not “{unknown[0]}”.\n",
                content_type="text/plain; charset=utf-8",
                status=400,
            )
        return self.feed_class(set(kinds))(request, *args, **kwargs)


class OperationFeedView(FeedView):
    feed_class = OperationFeed
    queryset = Operation.objects.all()


class FigureFeedView(FeedView):
    feed_class = FigureFeed
    queryset = public_figures()
