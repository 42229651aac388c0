"""Numbers, units and bounds in words a reader understands, and disagreements spelled out."""

from decimal import Decimal

from ..models import format_decimal
from ..vocabulary import BASE_UNIT, BOUND, MEASURE_DIMENSION, UNIT, UNIT_DIMENSION, UNIT_FACTOR, Bound, Dimension, Unit

# How the status rule reads each bound (see archive/status.py).
BOUND_MEANING = {code: term.meaning for code, term in BOUND.items()}
RATIO_WORDING_FROM = 2


def amount(value, unit, bound=Bound.EXACT, words=False, high=None):
    """ "about 1,500 t", or with words=True "about 1,500 tonnes"; "23%"; "1,828" for counts;
    a range: "3,000–4,000 t", "3,000 to 4,000 tonnes"; a decrease in words whatever the style:
    "a decrease of 23 percent", never "-23%", which readers misread or miss."""
    if Decimal(value) < 0 and (high is None or Decimal(high) <= 0):
        smaller = None if high is None else -Decimal(high)
        if smaller is not None:
            value, high = smaller, -Decimal(value)  # -30 to -20 is a decrease of 20 to 30
        else:
            value = -Decimal(value)
        return f"a decrease of {amount(value, unit, bound, words=True, high=high)}"
    number = format_decimal(value)
    if high is not None:
        number += f"{' to ' if words else '–'}{format_decimal(high)}"
    term = UNIT[unit]
    if words:
        name = term.singular if high is None and abs(Decimal(value)) == 1 else term.plural
        text = f"{number} {name}" if name else number
    elif unit == Unit.PERCENT:
        text = f"{number}{term.symbol}"
    else:
        text = f"{number} {term.symbol}".rstrip()
    return f"{BOUND[bound].prefix} {text}".strip()


def claim_amount(claim, words=False):
    return amount(claim.value, claim.unit, claim.bound, words=words, high=claim.value_high)


def base_unit_of(unit):
    return BASE_UNIT[UNIT_DIMENSION[unit]]


def normalised_amount(claim, words=True):
    """The claim's value in the base unit of its dimension: "1,500,000 kilograms"."""
    return amount(claim.normalised_value, base_unit_of(claim.unit), words=words, high=claim.normalised_high)


def display_unit(measure, units):
    """The unit to show a figure's values in: the sources' own unit when they share one."""
    units = set(units)
    if len(units) == 1:
        return units.pop()
    return BASE_UNIT[MEASURE_DIMENSION[measure]]


def in_unit(normalised_value, unit):
    return normalised_value / UNIT_FACTOR[unit]


def source_labels(claims):
    """Each claim's source as readers name it: the outlet, with the date when an outlet appears twice."""
    articles_per_outlet = {}
    for claim in claims:
        articles_per_outlet.setdefault(claim.article.outlet_id, set()).add(claim.article_id)
    labels = {}
    for claim in claims:
        label = claim.article.outlet.name
        if len(articles_per_outlet[claim.article.outlet_id]) > 1:
            published = claim.article.published_on
            label += f" ({published.day} {published:%b %Y})" if published else f" (“{claim.article.title}”)"
        labels[claim.pk] = label
    return labels


def percent_text(percent):
    if percent >= 10:
        return f"{percent:,.0f}"
    if percent >= 1:
        return f"{percent:.1f}".removesuffix(".0")
    if percent >= Decimal("0.01"):
        return f"{percent:.1g}"
    return "less than 0.01"


def top(claim):
    """The largest amount a claim states, in the base unit: its value, or the top of its range."""
    return claim.normalised_value if claim.normalised_high is None else claim.normalised_high


def difference(higher, lower):
    """How much higher the first claim's value is than the second's, compared in the base unit;
    a range is compared by its nearest end."""
    gap = higher.normalised_value - top(lower)
    if gap == 0:
        return "the same amount"
    if gap < 0:
        return "within the range"
    if UNIT_DIMENSION[higher.unit] == Dimension.PERCENT:
        return f"{format_decimal(gap)} percentage points higher"
    unit = higher.unit if higher.unit == lower.unit else base_unit_of(higher.unit)
    more = f"{amount(in_unit(gap, unit), unit)} more"
    if top(lower) <= 0:
        return more
    ratio = higher.normalised_value / top(lower)
    if ratio >= RATIO_WORDING_FROM:
        times = f"{ratio:.1f}" if ratio < 10 else f"{ratio:,.0f}"
        # Counted things are "as many"; an amount of a substance is "higher".
        if UNIT_DIMENSION[higher.unit] == Dimension.COUNT:
            return f"{times} times as many ({more})"
        return f"{times} times higher ({more})"
    return f"{more} ({percent_text(gap / top(lower) * 100)}% higher)"


def disagreements(claims):
    """One sentence per pair of claims from different articles, larger value first:
    "Global Times 4,585 t vs China Daily about 1,500 t: 3.1 times higher (3,085 t more)"."""
    claims = sorted(claims, key=lambda claim: (-claim.normalised_value, -top(claim), claim.pk))
    labels = source_labels(claims)
    sentences = []
    seen = set()
    for i, higher in enumerate(claims):
        for lower in claims[i + 1 :]:
            if higher.article_id == lower.article_id:
                continue
            left = f"{labels[higher.pk]} {claim_amount(higher)}"
            right = f"{labels[lower.pk]} {claim_amount(lower)}"
            if (left, right) in seen:
                continue
            seen.add((left, right))
            sentences.append(f"{left} vs {right}: {difference(higher, lower)}")
    return sentences
