"""Finding the numbers a text prints.

Two callers: a claim's value must be one of the numbers its quote prints, and an
article's admin page counts which numbers in the body no claim covers yet.

A printed number is a run of digits with optional thousands commas and decimals
("1,237", "1.64", "696,900"), optionally followed by a scale word ("1.2 million")
or a percent sign ("23 percent", "23%"), or a run of number words ("two dozen",
"half a tonne", "twenty-five"). Each comes back with its span, the bound word
printed just before it ("roughly 1,500" -> about) and its printed precision: one
unit of the last significant digit printed, so "1,237" -> 1, "1.64" -> 0.01 and
"1,500" -> 100.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

SCALES = {
    "thousand": Decimal(1_000),
    "million": Decimal(1_000_000),
    "billion": Decimal(1_000_000_000),
    "trillion": Decimal(1_000_000_000_000),
}

SMALL_WORDS = {
    word: Decimal(n)
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS_WORDS = {
    word: Decimal(10 * n) for n, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
FRACTION_WORDS = {"half": Decimal("0.5"), "quarter": Decimal("0.25")}

# Words printed immediately before a number that put a bound on it, and the
# bound each one means. Longest first so "more than" wins over "more".
BOUND_WORDS = {
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "some": "about",
    "an estimated": "about",
    "nearly": "nearly",
    "almost": "nearly",
    "close to": "nearly",
    "just under": "nearly",
    "more than": "more_than",
    "over": "more_than",
    "in excess of": "more_than",
    "upwards of": "more_than",
    "at least": "at_least",
    "no fewer than": "at_least",
    "no less than": "at_least",
    "up to": "up_to",
    "as many as": "up_to",
    "as much as": "up_to",
}

DECREASE_WORDS = re.compile(r"\b(decreas\w*|declin\w*|fell|fall\w*|dropp?\w*|down|lower|reduc\w*|cut)\b", re.IGNORECASE)

_SCALE_PATTERN = "|".join(SCALES)
DIGITS = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?![\w]|[.,]\d)"
    rf"(?:\s*(?P<percent>%|percent\b|per\s+cent\b)|\s+(?P<scale>{_SCALE_PATTERN})\b)?",
    re.IGNORECASE,
)

NUMBER_WORDS = sorted(
    [*SMALL_WORDS, *TENS_WORDS, *SCALES, "hundred", "dozen", "half", "quarter"],
    key=len,
    reverse=True,
)
_WORD = r"(?:{})".format("|".join(NUMBER_WORDS))
WORDS = re.compile(
    rf"\b(?:(?:a|an)\s+)?{_WORD}(?:(?:\s+|-|\s+and\s+|\s+(?:a|an)\s+){_WORD})*\b",
    re.IGNORECASE,
)
BOUND_BEFORE = re.compile(
    r"\b({})\s*$".format("|".join(sorted((re.escape(w) for w in BOUND_WORDS), key=len, reverse=True))),
    re.IGNORECASE,
)

MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june"
    "|july|august|september|october|november|december"
)
MONTH_BEFORE = re.compile(rf"\b(?:{MONTHS})\.?\s+(?:\d{{1,2}}\s*(?:to|-|–|and)\s*)?$", re.IGNORECASE)
MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:{MONTHS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class PrintedNumber:
    value: Decimal
    start: int
    end: int
    text: str
    precision: Decimal
    bound: str  # "exact" unless a bound word is printed just before it
    bound_start: int  # where the bound word starts, or `start`

    @property
    def printed(self):
        """The number with its bound word, as a reader sees it: "roughly 1,500"."""
        return self.text


def _precision_of_digits(integer_part, fraction_part, scale):
    if fraction_part:
        precision = Decimal(1).scaleb(-len(fraction_part))
    else:
        digits = integer_part.replace(",", "")
        trailing_zeros = len(digits) - len(digits.rstrip("0"))
        if trailing_zeros == len(digits):  # the number zero
            trailing_zeros = 0
        precision = Decimal(1).scaleb(trailing_zeros)
    return precision * (scale or 1)


def _words_value(text):
    """Value of a run of number words, or None when the words make no number."""
    tokens = re.findall(r"[a-z]+", text.lower())
    total = Decimal(0)
    current = None
    fraction = None
    for token in tokens:
        if token in ("a", "an"):
            current = current if current is not None else Decimal(1)
            continue
        if token == "and":
            continue
        if token in SMALL_WORDS or token in TENS_WORDS:
            current = (current or Decimal(0)) + SMALL_WORDS.get(token, TENS_WORDS.get(token))
        elif token == "dozen":
            current = (current or Decimal(1)) * 12
        elif token == "hundred":
            current = (current or Decimal(1)) * 100
        elif token in SCALES:
            total += (current or Decimal(1)) * SCALES[token]
            current = None
        elif token in FRACTION_WORDS:
            fraction = FRACTION_WORDS[token]
            current = None
    if fraction is not None:
        # "half a tonne", "half a million": the fraction multiplies what follows it.
        return fraction * (total + (current or 0) or 1)
    if current is None and total == 0:
        return None
    return total + (current or 0)


def _bound_before(text, start):
    match = BOUND_BEFORE.search(text, max(0, start - 25), start)
    if not match:
        return "exact", start
    return BOUND_WORDS[match.group(1).lower()], match.start()


def read_digits(text, match, only=None):
    """The number a match of `DIGITS` in `text` prints, or None when its value is not `only`
    (reading the bound word is the costly part, skipped for numbers that cannot match)."""
    integer_part, fraction_part = match.group("int"), match.group("frac") or ""
    scale = SCALES[match.group("scale").lower()] if match.group("scale") else None
    value = Decimal(integer_part.replace(",", "") + ("." + fraction_part if fraction_part else ""))
    if scale:
        value *= scale
    if only is not None and value != only:
        return None
    bound, bound_start = _bound_before(text, match.start())
    return PrintedNumber(
        value=value,
        start=match.start(),
        end=match.end(),
        text=text[bound_start : match.end()],
        precision=_precision_of_digits(integer_part, fraction_part, scale),
        bound=bound,
        bound_start=bound_start,
    )


def find_numbers(text):
    """Every number printed in `text`, in order of appearance."""
    found = []
    taken = []
    for match in DIGITS.finditer(text):
        found.append(read_digits(text, match))
        taken.append((match.start(), match.end()))
    for match in WORDS.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        value = _words_value(match.group(0))
        if value is None or match.group(0).lower() in ("a", "an"):
            continue
        bound, bound_start = _bound_before(text, match.start())
        found.append(
            PrintedNumber(
                value=value,
                start=match.start(),
                end=match.end(),
                text=text[bound_start : match.end()],
                precision=Decimal(1) if value >= 1 else value,
                bound=bound,
                bound_start=bound_start,
            )
        )
    return sorted(found, key=lambda number: number.start)


def is_date_part(text, number):
    """True for numbers that are part of a date or time: years, "June 4 to 30", "21:58"."""
    before, after = text[max(0, number.start - 30) : number.start], text[number.end : number.end + 15]
    if number.bound == "exact" and re.fullmatch(r"(19|20)\d\d", text[number.start : number.end]):
        return True
    if before.endswith(("/", ":")) or after.startswith(("/", ":")):
        return True
    return bool(MONTH_BEFORE.search(before) or MONTH_AFTER.match(after))


def figures_in(text):
    """The numbers in a body that could be figures: printed in digits, not dates."""
    return [
        number for number in find_numbers(text) if DIGITS.match(text, number.start) and not is_date_part(text, number)
    ]


def matches_value(number, value):
    """Does a printed number print this claimed value? Negative values are printed
    as their size with a word of decrease nearby, checked by the caller."""
    return number.value == abs(value)
