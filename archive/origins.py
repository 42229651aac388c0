"""Sources and independent origins of figures, from their published claims, for a batch of figures.

A claim's origin is what its article attributes the number to (`Claim.origin`: a person, an
organisation or an event such as the debriefing conference). A claim whose article names no
origin is its article's own; and an article marked as a copy of another (syndicated or
mirrored, the same text) is not an origin of its own: its claims without an origin are the
original article's.

For each figure:

- outlets: the outlets whose published articles give it a value;
- origins: the independent origins of those values, as above ("3 outlets, 1 origin");
- transmission errors: the origins whose values disagree among themselves, by the status rule
  (`archive/status.py`) over that origin's claims alone. One origin gave one number, so such a
  disagreement arose on the way from it to the outlets: a transmission error, not a dispute
  between origins. Values that differ only within the precision they were printed with (`minor`)
  are a rounding, not an error.

Nothing here queries the database: callers hand over the figures' published claims with their
articles (`outlet_id`, `copy_of_id`) and origins joined, as the public pages load them anyway, or
the same facts read as plain values (`Source`), as the downloads read them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from archive.status import Reading, figure_status
from archive.vocabulary import FigureStatus


@dataclass
class TransmissionError:
    origin: str  # the origin's name, or "the article in <outlet> and its copies"
    claims: list


@dataclass
class FigureOrigins:
    outlets: list = field(default_factory=list)  # outlet names
    origins: list = field(default_factory=list)  # origin names, named origins first
    transmission_errors: list = field(default_factory=list)

    @property
    def outlet_count(self):
        return len(self.outlets)

    @property
    def origin_count(self):
        return len(self.origins)


class Source(NamedTuple):
    """What the rule reads of a published claim; `claim` is what a transmission error lists."""

    claim: object
    figure_id: int
    article_id: int
    copy_of_id: int | None
    outlet_id: int
    outlet: str
    origin_id: int | None
    origin: str | None
    normalised_value: Decimal
    bound: str
    normalised_precision: Decimal
    normalised_high: Decimal | None

    @classmethod
    def of(cls, claim):
        """A claim loaded as a model, with its article, outlet and origin."""
        article = claim.article
        return cls(
            claim,
            claim.figure_id,
            claim.article_id,
            article.copy_of_id,
            article.outlet_id,
            article.outlet.name,
            claim.origin_id,
            claim.origin.name if claim.origin_id else None,
            claim.normalised_value,
            claim.bound,
            claim.normalised_precision,
            claim.normalised_high,
        )


def origin_key(source):
    """What makes two claims one origin: their named origin, else the article (the original of a copy)."""
    if source.origin_id:
        return ("origin", source.origin_id)
    return ("article", source.copy_of_id or source.article_id)


def origin_name(sources):
    """The name of the origin of `sources`, claims of one origin."""
    if sources[0].origin_id:
        return sources[0].origin
    originals = [source.outlet for source in sources if not source.copy_of_id]
    name = f"the article in {originals[0]}" if originals else "an article"
    return f"{name} and its copies" if len(originals) < len(sources) else name


def reading(source):
    return Reading(
        source.article_id, source.normalised_value, source.bound, source.normalised_precision, source.normalised_high
    )


def figure_origins(claims):
    """{figure id: FigureOrigins} from published claims of any number of figures, loaded as
    models or as Sources."""
    by_figure = defaultdict(list)
    for claim in claims:
        source = claim if isinstance(claim, Source) else Source.of(claim)
        by_figure[source.figure_id].append(source)
    return {figure_id: _one_figure(sources) for figure_id, sources in by_figure.items()}


def _one_figure(sources):
    outlets = {source.outlet_id: source.outlet for source in sources}
    groups = defaultdict(list)
    for source in sources:
        groups[origin_key(source)].append(source)
    result = FigureOrigins(outlets=sorted(outlets.values()))
    named = [(kind != "origin", origin_name(group), group) for (kind, _), group in groups.items()]
    named.sort(key=lambda item: item[:2])  # named origins first, then the articles that are their own
    for _, name, group in named:
        result.origins.append(name)
        # One claim alone never disagrees: the rule need not read it.
        if len(group) > 1 and figure_status([reading(source) for source in group]) == FigureStatus.DISPUTED:
            result.transmission_errors.append(TransmissionError(name, [source.claim for source in group]))
    return result
