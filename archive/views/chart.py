"""A small horizontal bar chart of a figure's values, drawn as SVG on the server.

Each source gets a bar to its value and, when its words allow a range ("about",
"more than"...), a line over the range the status rule reads them as, so readers see
why two values do or do not agree. Coordinates only: the template draws them.

The chart is as wide as the page and never scaled: across, bars and lines are placed in
percent of its width; down, and in the size of its text, in pixels. So its text stays the
size the stylesheet gives it on a phone, and each source's name and value, on a line of their
own above its bar, fit the narrowest screen.
"""

from dataclasses import dataclass
from decimal import Decimal

from ..status import Reading, value_range
from ..vocabulary import INFINITY
from .wording import claim_amount, in_unit

# Across, in percent of the chart's width; a little room at each end for a range's end tick.
PLOT_LEFT = 1
PLOT_RIGHT = 99
# Down, in pixels: a row is the source's name, its value, then its bar.
TOP = 4
LABEL_LINE = 16
VALUE_LINE = 34
BAR_TOP = 42
BAR_HEIGHT = 16
ROW_HEIGHT = 68

# Long enough for an outlet's name and a date; a title given for an undated article is cut.
LABEL_CHARS = 40


@dataclass
class Row:
    label: str
    short_label: str
    value_text: str
    y: float  # the top of the bar
    mid_y: float
    text_y: float  # the baseline of the source's name
    value_y: float  # the baseline of its value
    bar_x: float
    bar_width: float
    range_from: float | None
    range_to: float | None
    open_ended: bool
    claim_id: int


def _scale(low, high):
    span = high - low or Decimal(1)

    def x(value):
        return round(float(PLOT_LEFT + (value - low) / span * (PLOT_RIGHT - PLOT_LEFT)), 1)

    return x


def bar_chart(claims, labels, unit):
    """Geometry for one bar per claim, values shown in `unit`."""
    readings = []
    for claim in claims:
        low, high = value_range(
            Reading(claim.article_id, claim.normalised_value, claim.bound, Decimal(0), claim.normalised_high)
        )
        value = in_unit(claim.normalised_value, unit)
        readings.append((claim, value, in_unit(low, unit), None if high == INFINITY else in_unit(high, unit)))
    finite = [v for _, value, low, high in readings for v in (value, low, high) if v is not None]
    low_end, high_end = min([Decimal(0), *finite]), max([Decimal(0), *finite])
    x = _scale(low_end, high_end * Decimal("1.05") if high_end > 0 else high_end)
    zero = x(Decimal(0))
    rows = []
    for index, (claim, value, low, high) in enumerate(readings):
        top = TOP + index * ROW_HEIGHT
        y = top + BAR_TOP
        bar_from, bar_to = sorted((zero, x(value)))
        ranged = claim.bound != "exact" or claim.value_high is not None
        rows.append(
            Row(
                label=labels[claim.pk],
                short_label=labels[claim.pk]
                if len(labels[claim.pk]) <= LABEL_CHARS
                else labels[claim.pk][: LABEL_CHARS - 1] + "…",
                value_text=claim_amount(claim),
                y=y,
                mid_y=y + BAR_HEIGHT / 2,
                text_y=top + LABEL_LINE,
                value_y=top + VALUE_LINE,
                bar_x=bar_from,
                bar_width=max(round(bar_to - bar_from, 1), 1),
                range_from=x(low) if ranged else None,
                range_to=(x(high) if high is not None else PLOT_RIGHT) if ranged else None,
                open_ended=ranged and high is None,
                claim_id=claim.pk,
            )
        )
    return {
        "height": TOP * 2 + len(rows) * ROW_HEIGHT,
        "rows": rows,
        "zero": zero,
        "bar_height": BAR_HEIGHT,
        "plot_right": PLOT_RIGHT,
    }
