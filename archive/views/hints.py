"""Possible-misattribution hints in words, for every page that shows a figure: which value, which
outlets, which actor each gives it to, and which rule of `archive/misattribution.py` fired.

A page reads its figures' hints in two queries, however many figures and hints it shows.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from ..derivation import Misattribution
from ..filters import public_claims
from ..misattribution import SAME, Value, agreement
from ..models import Figure, OrganisationKind
from .wording import claim_amount


@dataclass(frozen=True)
class Hint:
    figure: Figure
    other: Figure
    rule: str  # "the same value" or "the same value once rounded"
    text: str  # "Global Times gives 1,828 to …; China Daily gives 1,828 to …"

    @property
    def anchor(self):
        """The rule's paragraph on the methodology page."""
        return "misattribution-same" if self.rule == SAME else "misattribution-rounded"


def actor(organisation):
    """Who a figure gives a value to, as a sentence names it: "all participating countries"."""
    if organisation.kind == OrganisationKind.SCOPE:
        return organisation.name[:1].lower() + organisation.name[1:]
    return organisation.name


def _value(claim):
    return Value(claim.normalised_value, claim.normalised_high, claim.normalised_precision)


def _gives(claims, figure):
    """ "Global Times and Xinhua give 1,828 to China customs"."""
    outlets = {}
    for claim in claims:
        names = outlets.setdefault(claim_amount(claim, words=True), [])
        if claim.article.outlet.name not in names:
            names.append(claim.article.outlet.name)
    said = [
        f"{' and '.join(names)} {'gives' if len(names) == 1 else 'give'} {amount}" for amount, names in outlets.items()
    ]
    return f"{' and '.join(said)} to {actor(figure.organisation)}"


def hint(figure, claims, other, other_claims):
    """The hint between two linked figures, from each one's published claims, or None when no
    two of their claims agree any more (a page drawn from data changing under it)."""
    agreeing = []
    for one in claims:
        for two in other_claims:
            if one.article.outlet_id != two.article.outlet_id:
                rule = agreement(_value(one), _value(two))
                if rule:
                    agreeing.append((rule, one, two))
    if not agreeing:
        return None
    # The stronger rule names the hint, and the claims it links alone are worded.
    rule = SAME if any(rule == SAME for rule, _, _ in agreeing) else agreeing[0][0]
    ones = list(dict.fromkeys(one for fired, one, _ in agreeing if fired == rule))
    twos = list(dict.fromkeys(two for fired, _, two in agreeing if fired == rule))
    return Hint(figure, other, rule, f"{_gives(ones, figure)}; {_gives(twos, other)}")


def worded(links):
    """The hints of `links`, rows of `Misattribution` (a queryset, sliced or not), in two queries
    whatever their number: the rows with both figures and their organisations, and the published
    claims of every figure they name. The figures are named by their keys, which the claims'
    figure index finds: an OR of two subqueries read every claim. Without a row, a subquery that
    finds none keeps the second query."""
    rows = list(links.select_related("from_figure__organisation", "to_figure__organisation"))
    named = {row.from_figure_id for row in rows} | {row.to_figure_id for row in rows}
    named = Q(figure__in=sorted(named)) if named else Q(figure__in=links.values("from_figure_id"))
    claims = defaultdict(list)
    for claim in (
        public_claims()
        .filter(named)
        .select_related("article__outlet")
        .defer("article__body", "article__provenance")
        .order_by("-normalised_value", "article__published_on", "pk")
    ):
        claims[claim.figure_id].append(claim)
    found = (hint(row.from_figure, claims[row.from_figure_id], row.to_figure, claims[row.to_figure_id]) for row in rows)
    return [each for each in found if each]


def hints_by_figure(figure_ids):
    """{figure id: its hints} for these figures, in two queries whatever their number."""
    links = Misattribution.objects.filter(from_figure_id__in=figure_ids, to_figure__source_count__gt=0)
    by_figure = defaultdict(list)
    for each in worded(links.order_by("to_figure__title", "to_figure_id")):
        by_figure[each.figure.pk].append(each)
    return by_figure


def each_pair_once(hints):
    """`hints` with each pair of figures once."""
    kept, seen = [], set()
    for each in hints:
        pair = frozenset((each.figure.pk, each.other.pk))
        if pair not in seen:
            seen.add(pair)
            kept.append(each)
    return kept
