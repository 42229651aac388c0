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
articles (`outlet_id`, `copy_of_id`) and origins joined, as the public pages load them anyway.
"""

from collections import defaultdict
from dataclasses import dataclass, field

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


def origin_key(claim):
    """What makes two claims one origin: their named origin, else the article (the original of a copy)."""
    if claim.origin_id:
        return ("origin", claim.origin_id)
    return ("article", claim.article.copy_of_id or claim.article_id)


def origin_name(claims):
    """The name of the origin of `claims`, claims of one origin."""
    if claims[0].origin_id:
        return claims[0].origin.name
    originals = [claim.article.outlet.name for claim in claims if not claim.article.copy_of_id]
    name = f"the article in {originals[0]}" if originals else "an article"
    return f"{name} and its copies" if len(originals) < len(claims) else name


def reading(claim):
    return Reading(
        claim.article_id, claim.normalised_value, claim.bound, claim.normalised_precision, claim.normalised_high
    )


def figure_origins(claims):
    """{figure id: FigureOrigins} from published claims of any number of figures."""
    by_figure = defaultdict(list)
    for claim in claims:
        by_figure[claim.figure_id].append(claim)
    return {figure_id: _one_figure(figure_claims) for figure_id, figure_claims in by_figure.items()}


def _one_figure(claims):
    outlets = {claim.article.outlet_id: claim.article.outlet.name for claim in claims}
    groups = defaultdict(list)
    for claim in claims:
        groups[origin_key(claim)].append(claim)
    result = FigureOrigins(outlets=sorted(outlets.values()))
    # Named origins first, then the articles that are their own.
    for _, group in sorted(groups.items(), key=lambda item: (item[0][0] != "origin", origin_name(item[1]))):
        name = origin_name(group)
        result.origins.append(name)
        if figure_status([reading(claim) for claim in group]) == FigureStatus.DISPUTED:
            result.transmission_errors.append(TransmissionError(name, group))
    return result
