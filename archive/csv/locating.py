"""`Claim.locate()` for many claims of the same articles.

The model finds a quote with a regular expression built from the quote's words (any run of
whitespace matching any other), compiled afresh for every quote: most of the cost of
checking a claim. Here each body is prepared once: its whitespace runs collapsed to single
spaces, with a table back to the original positions. A quote, its words joined by single
spaces, is then found with `str.find`. That is the same match: a regex match of
`w1\\s+w2...` starts and ends on non-space characters and each `\\s+` spans a whole run, so
it corresponds exactly to an occurrence of "w1 w2..." in the collapsed text, and the first
one to the first one. (`\\s` and `str.split()` agree on what whitespace is; the tests
compare the two on random text.)

The value is then looked for among the numbers the quoted passage prints. The model reads
every number, in digits and in words (`numbers.find_numbers()`); in the usual passage,
ASCII text with no number word in it, only the numbers in digits can match, so only those
are read, with the number module's own pattern and helpers, and only the ones equal to
the value get their bound word read.

Whenever a shortcut does not apply, or anything is wrong (quote not found, too long, wrong
unit, value not printed...), the model's own code runs and raises its own errors.
"""

import re
from bisect import bisect_right
from decimal import Decimal

from archive import numbers
from archive.models import MAX_QUOTE_LENGTH
from archive.vocabulary import MEASURE_DIMENSION, UNIT_DIMENSION, Bound, to_base_unit

LONG_WHITESPACE = re.compile(r"\s\s+")
WORD = re.compile(r"\w+")
EXACT = Bound.EXACT.value
# A number in words starts with one of these as a whole word (`numbers.WORDS`).
NUMBER_WORDS = frozenset(word.lower() for word in numbers._NUMBER_WORDS)


class Body:
    """An article body prepared for finding many quotes in it."""

    def __init__(self, text):
        # re.sub(r"\s+", " ", text), three times faster: str.split() knows the same whitespace.
        self.collapsed = (" " if text[:1].isspace() else "") + " ".join(text.split())
        # After each run of two or more whitespace characters, collapsed positions lag the
        # original ones by all the characters removed so far.
        self.starts, self.shifts = [], []
        removed = 0
        for run in LONG_WHITESPACE.finditer(text):
            removed += run.end() - run.start() - 1
            self.starts.append(run.end() - removed)
            self.shifts.append(removed)

    def original(self, position):
        index = bisect_right(self.starts, position)
        return position + (self.shifts[index - 1] if index else 0)

    def find(self, quote):
        """(start, end) of `quote` in the original text, as `archive.models.find_quote` gives it."""
        words = quote.split()
        if not words:
            return None
        needle = " ".join(words)
        at = self.collapsed.find(needle)
        if at < 0:
            return None
        return self.original(at), self.original(at + len(needle) - 1) + 1


def locate(claim, body):
    """Set the claim's derived fields exactly as `claim.locate()` does, or raise its errors."""
    span = body.find(claim.quote) if len(claim.quote) <= MAX_QUOTE_LENGTH else None
    if span is None or UNIT_DIMENSION.get(claim.unit) != MEASURE_DIMENSION.get(claim.figure.measure):
        claim.locate()
        return
    claim.quote_start, claim.quote_end = span
    printed = printed_value(claim, claim.article.body[claim.quote_start : claim.quote_end])
    claim.value_start = claim.quote_start + printed.start
    claim.value_end = claim.quote_start + printed.end
    claim.value_printed = printed.text[:200]
    claim.normalised_value = to_base_unit(claim.value, claim.unit)
    claim.normalised_precision = to_base_unit(printed.precision, claim.unit)


def digits_number(text, match, only=None):
    """The PrintedNumber `numbers.find_numbers(text)` makes of a match of `numbers.DIGITS`
    (None when its value is not `only`: reading the bound word is the costly part)."""
    integer_part, fraction_part = match.group("int"), match.group("frac") or ""
    scale = numbers.SCALES[match.group("scale").lower()] if match.group("scale") else None
    value = Decimal(integer_part.replace(",", "") + ("." + fraction_part if fraction_part else ""))
    if scale:
        value *= scale
    if only is not None and value != only:
        return None
    bound, bound_start = numbers._bound_before(text, match.start())
    return numbers.PrintedNumber(
        value=value,
        start=match.start(),
        end=match.end(),
        text=text[bound_start : match.end()],
        precision=numbers._precision_of_digits(integer_part, fraction_part, scale),
        bound=bound,
        bound_start=bound_start,
    )


def printed_value(claim, passage):
    """`claim._printed_value()`: the number in the passage that prints the claim's value."""
    if not passage.isascii() or not NUMBER_WORDS.isdisjoint(WORD.findall(passage.lower())):
        return claim._printed_value()
    if claim.value < 0 and not numbers.DECREASE_WORDS.search(passage):
        return claim._printed_value()
    for match in numbers.DIGITS.finditer(passage):
        number = digits_number(passage, match, only=abs(claim.value))
        if number and number.bound in (EXACT, claim.bound):
            return number
    return claim._printed_value()
