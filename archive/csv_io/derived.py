"""What an import changed in the figures' derived state, for its report. The state itself is
recomputed by `archive/derivation.py`, as for every other write.
"""

from dataclasses import dataclass

from django.db.models import F

from archive.derivation import Misattribution
from archive.models import Figure
from archive.parts import each_flag_once, flags_for
from archive.views.hints import worded
from archive.vocabulary import FigureStatus


@dataclass(frozen=True)
class Flags:
    """The disputed figures, the possible-misattribution pairs (smaller pk first) and the flags of
    parts and wholes (`archive/parts.py`)."""

    disputed: frozenset
    pairs: frozenset
    parts: frozenset = frozenset()

    @classmethod
    def now(cls):
        disputed = Figure.objects.filter(status=FigureStatus.DISPUTED).values_list("pk", flat=True)
        pairs = Misattribution.objects.filter(from_figure_id__lt=F("to_figure_id")).values_list(
            "from_figure_id", "to_figure_id"
        )
        return cls(frozenset(disputed), frozenset(pairs), frozenset(each_flag_once(flags_for())))


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
    # Each new hint worded as the public pages word it: the value, each outlet, each actor, the rule.
    new_links = Misattribution.objects.filter(
        from_figure_id__in={a for a, _ in pairs}, to_figure_id__gt=F("from_figure_id")
    )
    hints = {(hint.figure.pk, hint.other.pk): hint for hint in worded(new_links)}
    return [
        *(f"figure {names[pk]} is now disputed: its published sources disagree" for pk in disputed),
        *(f"figure {names[pk]} is no longer disputed" for pk in settled),
        *(
            f"possible misattribution, {hints[a, b].rule}: {hints[a, b].text}; figures {names[a]} and {names[b]}"
            if (a, b) in hints
            else f"possible misattribution: figures {names[a]} and {names[b]}"
            for a, b in pairs
        ),
        *part_notices(before, after),
    ]


def part_notices(before, after):
    """A sentence for each flag of a part and its whole that `after` has and `before` had not."""
    known = {flag.key for flag in before.parts}
    new = sorted((flag for flag in after.parts if flag.key not in known), key=lambda flag: flag.key)
    return [
        f"{flag.words}: {flag.part.outlet} gives “{flag.part.printed}” to “{flag.part.figure_title}” "
        f"({flag.part.figure_slug}), and {flag.whole.outlet} “{flag.whole.printed}” to its whole, "
        f"“{flag.whole.figure_title}” ({flag.whole.figure_slug})"
        for flag in new
    ]
