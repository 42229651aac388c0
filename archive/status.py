"""The rule that turns a figure's published claims into its status.

Each claim is read as the range of amounts its words allow, in the dimension's
base unit (kg, m3, count, percent): its bound's interval (`archive/vocabulary.py`)
around its value, or around its range when it states one ("3,000 to 4,000"):

- exactly v: [v, v]; exactly 3,000 to 4,000: [3,000, 4,000]
- about v: [0.9 v, 1.1 v]
- nearly v: [0.9 v, v]
- more than v / at least v: [v, infinity)
- up to v: [0, v]

Then, over the distinct articles that state a value:

- no article: `unsourced`; one article: `single`;
- every claim's range overlaps every other's: `consistent`;
- they overlap once each range is widened by the precision its number was
  printed with (one unit of the last significant digit: 1,237 -> 1, 1.64 -> 0.01,
  1,500 -> 100, all converted to the base unit): `minor`, as with 1,237 vs 1,238 t;
- otherwise `disputed`, as with "roughly 1,500" vs 4,585 t.

Ranges are closed: "more than 1,000" and "exactly 1,000" count as agreeing.
"""

from dataclasses import dataclass
from decimal import Decimal

from .vocabulary import BOUND, FigureStatus


@dataclass(frozen=True)
class Reading:
    """One claim as the status rule sees it, in the base unit."""

    article_id: int
    value: Decimal
    bound: str
    precision: Decimal
    high: Decimal | None = None  # the top of a range


def value_range(reading, widen_by=Decimal(0)):
    value = reading.value
    low, high = BOUND[reading.bound].interval(value, value if reading.high is None else reading.high)
    low, high = min(low, high), max(low, high)
    return low - widen_by, high + widen_by


def _overlap(ranges):
    return max(low for low, _ in ranges) <= min(high for _, high in ranges)


def figure_status(readings):
    readings = list(readings)
    if len({reading.article_id for reading in readings}) == 0:
        return FigureStatus.UNSOURCED
    if len({reading.article_id for reading in readings}) == 1:
        return FigureStatus.SINGLE
    if _overlap([value_range(reading) for reading in readings]):
        return FigureStatus.CONSISTENT
    if _overlap([value_range(reading, reading.precision) for reading in readings]):
        return FigureStatus.MINOR
    return FigureStatus.DISPUTED
