"""Parts and wholes: what a figure of a part says beside the figure of its whole.

An editor states that, in one operation, an organisation or scope is part of another (`PartOf`:
China customs within all participating countries of Demeter V). Then each published claim of a
figure of the part is compared with each published claim of a figure of the whole that counts the
same measure of the same subject over the same period, in the base unit, with the status rule's
reading of a value (`archive/status.py`): the range of amounts its words allow, widened by the
precision its number was printed with:

- the part's lowest amount is above the whole's highest: "part exceeds whole: impossible as stated";
- otherwise, when the two print the same amount, their bound words aside, once each is widened by
  its precision (232 and 232 cases, 4,585 and 4,584.7 t, "about 1,500" and 1,500 t): "part equals
  whole: likely the whole's figure given to a part";
- a part whose value is below the whole's is no flag, nor one that only may be equal ("more than
  1,000" for the whole, 5,000 for the part).

Percentages are not compared: a part's change may well be larger than its whole's.

The flags are computed when asked, for a batch of figures, from the statements and the claims as
they stand: the figure and operation pages and the imports' reports all call `flags_for()`.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.urls import reverse

from archive.misattribution import Value, agreement
from archive.models import Claim, Figure
from archive.status import Reading, value_range
from archive.vocabulary import MEASURE_DIMENSION, Dimension

EXCEEDS = "exceeds"
EQUALS = "equals"
WORDS = {
    EXCEEDS: "part exceeds whole: impossible as stated",
    EQUALS: "part equals whole: likely the whole's figure given to a part",
}
COMPARED_MEASURES = frozenset(
    measure for measure, dimension in MEASURE_DIMENSION.items() if dimension != Dimension.PERCENT
)
CLAIM_COLUMNS = (
    "pk",
    "article_id",
    "normalised_value",
    "bound",
    "normalised_precision",
    "normalised_high",
    "value",
    "value_high",
    "unit",
    "value_printed",
    "article__outlet__name",
    "figure_id",
    "figure__slug",
    "figure__title",
    "figure__operation_id",
    "figure__organisation_id",
    "figure__organisation__name",
    "figure__measure",
    "figure__subject",
    "figure__period_start",
    "figure__period_end",
)
READING_COLUMNS = ("article_id", "normalised_value", "bound", "normalised_precision", "normalised_high")
SIDE_COLUMNS = (
    "pk",
    "article__outlet__name",
    "value",
    "value_high",
    "unit",
    "bound",
    "value_printed",
    "figure_id",
    "figure__slug",
    "figure__title",
    "figure__organisation__name",
)


@dataclass(frozen=True)
class Side:
    """One published claim of a figure of the part or of the whole."""

    claim_id: int
    outlet: str
    value: Decimal
    value_high: Decimal | None
    unit: str
    bound: str
    printed: str
    figure_id: int
    figure_slug: str
    figure_title: str
    organisation: str

    def get_absolute_url(self):
        return reverse("archive:figure_detail", args=[self.figure_slug])


@dataclass(frozen=True)
class PartFlag:
    kind: str  # EXCEEDS or EQUALS
    part: Side
    whole: Side

    @property
    def words(self):
        return WORDS[self.kind]

    @property
    def key(self):
        return (self.kind, self.part.claim_id, self.whole.claim_id)


def compare(part, whole):
    """EXCEEDS, EQUALS or None for two `status.Reading`s, the part's and the whole's."""
    if value_range(part, part.precision)[0] > value_range(whole, whole.precision)[1]:
        return EXCEEDS
    if agreement(printed(part), printed(whole)):
        return EQUALS
    return None


def printed(reading):
    """The reading as the misattribution rule compares printed values (bound words aside)."""
    return Value(reading.value, reading.high, reading.precision)


def flags_for(figures=None):
    """{figure pk: [PartFlag]} for `figures` (instances or pks; None: every figure), each flag
    listed under both its part's figure and its whole's. One query, whatever the figures: the
    published claims of every figure of a part or a whole stated in its operation, each with the
    statement it comes by."""
    statement = "figure__operation__parts__"
    # One filter() call: every condition on the statements is on the same statement row.
    condition = Q(figure__measure__in=COMPARED_MEASURES) & (
        Q(**{f"{statement}part": F("figure__organisation")}) | Q(**{f"{statement}whole": F("figure__organisation")})
    )
    if figures is not None:
        figures = [getattr(figure, "pk", figure) for figure in figures]
        scope = Figure.objects.filter(pk__in=figures)
        organisations = scope.values("organisation_id")
        condition &= Q(figure__operation__in=scope.values("operation_id")) & (
            Q(**{f"{statement}part__in": organisations}) | Q(**{f"{statement}whole__in": organisations})
        )
    rows = (
        Claim.objects.published()
        .filter(condition)
        .order_by("pk")
        .values_list(*CLAIM_COLUMNS, f"{statement}part_id", f"{statement}whole_id")
    )
    wholes = defaultdict(set)  # (operation, part) -> wholes
    claims = {}
    for *row, part, whole in rows:
        claims[row[0]] = row
        wholes[row[CLAIM_COLUMNS.index("figure__operation_id")], part].add(whole)
    # (operation, organisation, (measure, subject), (period start, end)) -> [(reading, side)]
    by_scope = defaultdict(list)
    for row in claims.values():
        column = dict(zip(CLAIM_COLUMNS, row, strict=True))
        reading = Reading(*(column[name] for name in READING_COLUMNS))
        side = Side(*(column[name] for name in SIDE_COLUMNS))
        what = (column["figure__measure"], column["figure__subject"].strip().casefold())
        period = (column["figure__period_start"], column["figure__period_end"])
        by_scope[column["figure__operation_id"], column["figure__organisation_id"], what, period].append(
            (reading, side)
        )
    flags = defaultdict(list)
    for (operation, organisation, what, period), part_claims in by_scope.items():
        for whole in wholes.get((operation, organisation), ()):
            for whole_reading, whole_side in by_scope.get((operation, whole, what, period), ()):
                for part_reading, part_side in part_claims:
                    kind = compare(part_reading, whole_reading)
                    if kind:
                        flag = PartFlag(kind, part_side, whole_side)
                        flags[part_side.figure_id].append(flag)
                        flags[whole_side.figure_id].append(flag)
    wanted = flags if figures is None else {pk: flags[pk] for pk in figures if pk in flags}
    return {pk: sorted(found, key=lambda flag: flag.key[1:]) for pk, found in wanted.items()}


def each_flag_once(by_figure):
    """The flags of `flags_for()`'s answer, each once (it lists a flag under two figures)."""
    return sorted({flag for flags in by_figure.values() for flag in flags}, key=lambda flag: flag.key)
