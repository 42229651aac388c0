"""Finding the numbers a text prints.

Two callers: a claim's value must be one of the numbers its quote prints, and an
article's admin page counts which numbers in the body no claim covers yet.

A printed number is a run of digits with optional thousands commas and decimals
("1,237", "1.64", "696,900"), optionally followed by a scale word ("1.2 million")
or a percent sign ("23 percent", "23%"), or a run of number words ("two dozen",
"half a tonne", "twenty-five"). Two numbers in digits joined as "3,000 to 4,000",
"between 3,000 and 4,000" or "3,000-4,000" are one range, not two numbers ("from 3,000
to 4,000" is a change, not a range). Each comes back with its span, the bound word
printed just before it ("roughly 1,500" -> about), the unit printed right after it
("1.64 tons" -> tonnes; a plain noun, "1,828 cases", is a count; "73 of" prints none)
and its printed precision: one unit of the last significant digit printed, so "1,237"
-> 1, "1.64" -> 0.01 and "1,500" -> 100. The words of each bound and unit are defined
with it, in `archive/vocabulary.py`.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from .vocabulary import BOUNDS, FUNCTION_WORDS, UNITS, Unit

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

# Words printed immediately before a number that put a bound on it, and the bound each means.
BOUND_WORDS = {word: term.code for term in BOUNDS for word in term.printed}
# Words printed right after a number that give its unit, and the unit each means.
UNIT_WORDS = {word: term.code for term in UNITS for word in term.printed}


def _alternatives(words):
    """A regular expression matching any of `words`, longest first so "more than" wins over "more"."""
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in sorted(words, key=len, reverse=True))


DECREASE_WORDS = re.compile(r"\b(decreas\w*|declin\w*|fell|fall\w*|dropp?\w*|down|lower|reduc\w*|cut)\b", re.IGNORECASE)

_SCALE_PATTERN = "|".join(SCALES)
_GLUED = "|".join(re.escape(word) for word in UNIT_WORDS if word.isalnum() and len(word) <= 3)
# A number glued to a letter ("5G") is no number, unless the letters are a unit's ("545kg").
DIGITS = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    rf"(?!(?!(?:{_GLUED})(?!\w))\w|[.,]\d)"
    rf"(?:\s*(?P<percent>%|percent\b|per\s+cent\b)|\s+(?P<scale>{_SCALE_PATTERN})\b)?",
    re.IGNORECASE,
)

NUMBER_WORDS = sorted(
    [*SMALL_WORDS, *TENS_WORDS, *SCALES, "hundred", "dozen", "half", "quarter"],
    key=len,
    reverse=True,
)
NUMBER_WORD_SET = frozenset(NUMBER_WORDS)
WORD_TOKEN = re.compile(r"\w+")
_WORD = r"(?:{})".format("|".join(NUMBER_WORDS))
WORDS = re.compile(
    rf"\b(?:(?:a|an)\s+)?{_WORD}(?:(?:\s+|-|\s+and\s+|\s+(?:a|an)\s+){_WORD})*\b",
    re.IGNORECASE,
)
BOUND_BEFORE = re.compile(rf"\b({_alternatives(BOUND_WORDS)})\s*$", re.IGNORECASE)
UNIT_AFTER = re.compile(rf"(?:\s*-?\s*)({_alternatives(UNIT_WORDS)})(?!\w)", re.IGNORECASE)
UNIT_AFTER_ARTICLE = re.compile(rf"\s+an?\s+({_alternatives(UNIT_WORDS)})(?!\w)", re.IGNORECASE)  # half a tonne
NOUN_AFTER = re.compile(r"(?:\s+|\s*-\s*)([a-z][a-z'’]*)", re.IGNORECASE)
# Between the two numbers of a range; "and" only after "between".
RANGE_JOIN = re.compile(r"\s*(?:to|–|—|-)\s*|\s+and\s+", re.IGNORECASE)
BETWEEN_BEFORE = re.compile(r"\bbetween\s+$", re.IGNORECASE)
FROM_BEFORE = re.compile(r"\bfrom\s+$", re.IGNORECASE)

YEAR = re.compile(r"(19|20)\d\d")
# Digits joined by hyphens that are not a range: "2019-11-26".
DATE_HYPHEN, DATE_HYPHEN_AFTER = re.compile(r"\d-$"), re.compile(r"-\d")
MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june"
    "|july|august|september|october|november|december"
)
MONTH_BEFORE = re.compile(rf"\b(?:{MONTHS})\.?\s+(?:\d{{1,2}}\s*(?:to|-|–|and)\s*)?$", re.IGNORECASE)
MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:{MONTHS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class PrintedNumber:
    value: Decimal  # the low end of a range
    start: int
    end: int
    text: str  # with its bound word: "roughly 1,500", "between 3,000 and 4,000"
    precision: Decimal
    bound: str  # "exact" unless a bound word is printed just before it
    bound_start: int  # where the bound word starts, or `start`
    high: Decimal | None = None  # the high end of a range
    unit: str | None = None  # the unit printed right after it, or None
    unit_text: str = ""  # as printed, with what separates it from the number: " tons"

    @property
    def printed(self):
        """The number with its bound word and unit, as a reader sees it: "roughly 1,500 tons"."""
        return self.text + self.unit_text


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


def _unit_after(text, end, article=False):
    """(unit, its text) of the unit printed right after `end`: a unit's word, a plain noun for a
    count, or (None, "") when the next word names no unit ("73 of them")."""
    match = UNIT_AFTER.match(text, end) or (article and UNIT_AFTER_ARTICLE.match(text, end))
    if match:
        return UNIT_WORDS[" ".join(match.group(1).lower().split())], match.group(0)
    match = NOUN_AFTER.match(text, end)
    if match and _is_noun(match.group(1)):
        return Unit.COUNT, match.group(0)
    return None, ""


def _is_noun(word):
    """Could `word`, printed after a number, be what the number counts? Not a function word, a
    number word, or a verb or adverb by its ending ("545 seized", "1,200 involving", "9 only")."""
    word = word.lower()
    if word.endswith(("ed", "ing", "ly")):
        return False
    return word not in FUNCTION_WORDS and word not in SCALES and word not in SMALL_WORDS and word not in TENS_WORDS


def _digits(match):
    """(value, precision, scale) of a match of `DIGITS`."""
    value, scale = _digits_value(match)
    return value, _digits_precision(match, scale), scale


def _digits_value(match):
    """(value, scale) of a match of `DIGITS`: a locating reads the value of every number in a
    quote, and the precision only of those that match."""
    integer_part, fraction_part, scale = match.group("int", "frac", "scale")
    scale = SCALES[scale.lower()] if scale else None
    value = Decimal(integer_part.replace(",", "") + ("." + fraction_part if fraction_part else ""))
    return (value * scale if scale else value), scale


def _digits_precision(match, scale):
    return _precision_of_digits(match.group("int"), match.group("frac") or "", scale)


def _range_end(text, low, high):
    """The value of `low` and `high`, matches of `DIGITS` in `text`, as one range, and where its
    printed text starts; None when they are two numbers."""
    join = text[low.end() : high.start()]
    if not RANGE_JOIN.fullmatch(join):
        return None
    before = text[max(0, low.start() - 10) : low.start()]
    between = BETWEEN_BEFORE.search(before)
    if (join.strip().lower() == "and") != bool(between) or FROM_BEFORE.search(before):
        return None
    # Part of a date or a code: "2019-11-26", "1-2-3".
    if before[-1:].isdigit() or before.endswith(("-", "/")) or re.match(r"[-–/]\d", text[high.end() : high.end() + 2]):
        return None
    (low_value, low_precision, low_scale), (high_value, high_precision, high_scale) = _digits(low), _digits(high)
    if high_scale and not low_scale:  # "1.2 to 1.5 million"
        low_value *= high_scale
        low_precision *= high_scale
    if not low_value < high_value or (low.group("percent") and not high.group("percent")):
        return None
    start = low.start() - len(between.group(0)) if between else low.start()
    return low_value, high_value, max(low_precision, high_precision), start


def _number(text, start, end, value, precision, high=None, printed_from=None, percent=False, article=False):
    bound, bound_start = _bound_before(text, start if printed_from is None else printed_from)
    if percent:
        unit, unit_text = Unit.PERCENT, ""
    else:
        unit, unit_text = _unit_after(text, end, article)
    return PrintedNumber(
        value=value,
        start=start,
        end=end,
        text=text[bound_start:end],
        precision=precision,
        bound=bound,
        bound_start=bound_start,
        high=high,
        unit=unit,
        unit_text=unit_text,
    )


def digit_numbers(text, only=None):
    """The numbers `text` prints in digits, ranges read as one. With `only`, only those whose
    value (or low end) is `only`: reading the bound and the unit is the costly part, skipped for
    numbers that cannot match."""
    matches = list(DIGITS.finditer(text))
    found = []
    index = 0
    while index < len(matches):
        match = matches[index]
        joined = _range_end(text, match, matches[index + 1]) if index + 1 < len(matches) else None
        if joined:
            low, high, precision, printed_from = joined
            end = matches[index + 1]
            index += 2
            if only is None or low == only:
                found.append(
                    _number(
                        text, match.start(), end.end(), low, precision, high, printed_from, bool(end.group("percent"))
                    )
                )
            continue
        index += 1
        value, scale = _digits_value(match)
        if only is None or value == only:
            precision = _digits_precision(match, scale)
            found.append(
                _number(text, match.start(), match.end(), value, precision, percent=bool(match.group("percent")))
            )
    return found


def has_number_words(text):
    return not (text.isascii() and NUMBER_WORD_SET.isdisjoint(WORD_TOKEN.findall(text.lower())))


def find_numbers(text, only=None):
    """Every number printed in `text`, in order of appearance (with `only`, see `digit_numbers`)."""
    found = digit_numbers(text, only)
    if not has_number_words(text):
        return found
    taken = [match.span() for match in DIGITS.finditer(text)]
    for match in WORDS.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        value = _words_value(match.group(0))
        if value is None or match.group(0).lower() in ("a", "an"):
            continue
        if only is not None and value != only:
            continue
        words = match.group(0).lower().split()
        found.append(
            _number(
                text,
                match.start(),
                match.end(),
                value,
                Decimal(1) if value >= 1 else value,
                article=words[-1] in FRACTION_WORDS,
            )
        )
    return sorted(found, key=lambda number: number.start)


def is_date_part(text, number):
    """True for numbers that are part of a date or time: years, "2018-2019", "June 4 to 30", "21:58"."""
    before, after = text[max(0, number.start - 30) : number.start], text[number.end : number.end + 15]
    if number.high is None:
        year = YEAR.fullmatch(text[number.start : number.end])
    else:
        year = YEAR.fullmatch(str(number.value)) and YEAR.fullmatch(str(number.high))
    if number.bound == "exact" and year:
        return True
    if (
        before.endswith(("/", ":"))
        or after.startswith(("/", ":"))
        or DATE_HYPHEN.search(before)
        or DATE_HYPHEN_AFTER.match(after)
    ):
        return True
    return bool(MONTH_BEFORE.search(before) or MONTH_AFTER.match(after))


def figures_in(text):
    """The numbers in a body that could be figures: printed in digits, not dates."""
    return [number for number in digit_numbers(text) if not is_date_part(text, number)]


def matches_value(number, value, high=None):
    """Does a printed number print this claimed value (or range)? Negative values are printed
    as their size with a word of decrease nearby, checked by the caller."""
    return number.value == abs(value) and number.high == high
