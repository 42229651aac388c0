"""A number's travels: every published value of a figure and of the figures its misattribution
hints link it to, in the order it was stated and then published, with who gave it to whom. A
reader sees 1,828 cases cracked by all 109 countries become 1,828 seizures by China."""

from dataclasses import dataclass
from datetime import date

from ..claim_dates import stated_date
from ..filters import public_claims


@dataclass(frozen=True)
class Stop:
    claim: object
    stated_on: date | None  # `claim_dates.stated_date`: as the claim records it, or its article's date
    here: bool  # a value of the figure itself, not of a linked one

    @property
    def published_on(self):
        return self.claim.article.published_on

    @property
    def stated_apart(self):
        """Whether the claim names a statement date other than its article's."""
        return self.claim.stated_on is not None and self.claim.stated_on != self.published_on


def travels(figure, linked):
    """The stops of the figure's values and those of the `linked` figures, oldest first."""
    claims = (
        public_claims()
        .filter(figure__in=[figure.pk, *(other.pk for other in linked)])
        .select_related("article__outlet", "figure__organisation", "speaker", "origin")
        .defer("article__body", "article__provenance")
    )
    stops = [Stop(claim, stated_date(claim), claim.figure_id == figure.pk) for claim in claims]
    return sorted(
        stops, key=lambda stop: (*undated_last(stop.stated_on), *undated_last(stop.published_on), stop.claim.pk)
    )


def undated_last(day):
    return (day is None, day or date.min)
