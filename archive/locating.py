"""Locating a claim: its quote in the article's body, and its value in the quote.

The rule, each part refused with a message naming the field at fault:

1. quote: a quote is at most `MAX_QUOTE_LENGTH` characters ("A quote is at most 2,000
   characters; this one has 2,001.").
2. unit: the unit's dimension is the figure's measure's ("Count cannot measure “weight
   seized”; use kilograms, tonnes.").
3. quote: the quote appears verbatim in the body, where any run of whitespace matches any
   other ("This quote does not appear in the body of the article “A”."). Its position is the
   first place it appears.
4. value: the value is printed inside the quote, in digits or in words (`archive.printed_numbers`),
   listing what the quote prints otherwise ("The quote does not print 23: it prints “1,500”.");
   a negative value is printed as its size with a word of decrease in the quote ("The quote
   prints 23 but says nothing of a decrease, so the value cannot be -23.").
5. bound: a bound word printed just before the number is the claim's bound; a number printed
   without one may carry any bound ("The quote prints “roughly 1,500”: the bound should be
   “about”, not “exactly”.").
6. unit: a unit printed right after the number is the claim's unit; where the text prints none
   the editor's choice stands ("The quote prints “1.64 tons”: the unit should be tonnes, not
   kilograms.").
7. value_high: a range the quote prints ("3,000 to 4,000") is claimed as one, its low end as the
   value and its high end as the high value, and a claimed range is printed as one ("The quote
   prints the range “3,000 to 4,000”: give 4,000 as the high value.").
8. origin_words, speaker_title: the words naming the claim's origin ("According to the
   conference") and the speaker's title as the article prints it appear in the body like a
   quote; an origin comes with its words and words with their origin.

A wrong unit is reported with a missing quote; the value and the bound are read only once the
quote is found and the unit is right.

Claims are located in batches: a `Body` is prepared once per article and reused for all its
claims (an import's thousands, an article's relocation after its body changes); a single
claim's save is a batch of one. A prepared body has its whitespace runs collapsed to single
spaces, with a table back to the original positions, and a quote's words joined by single
spaces are found in it with `str.find`: an occurrence of "w1 w2 ..." in the collapsed text is
exactly a match of `w1\\s+w2...` in the original, which starts and ends on non-space
characters, and the first is the first (`str.split()` and `\\s` know the same whitespace).

Only the numbers equal to the value get their bound and unit read (`printed_numbers.find_numbers`
with `only`); the whole passage is read again only to word a refusal.

The claim's dates are checked here too, since every writer passes here: an article or statement
dated before its figure's period starts is refused (`archive/claim_dates.py`).
"""

import re
from bisect import bisect_right

from django.core.exceptions import ValidationError

from archive import printed_numbers
from archive.claim_dates import date_errors
from archive.models import format_decimal
from archive.vocabulary import MEASURE_DIMENSION, UNIT_DIMENSION, Bound, Unit, to_base_unit, units_for

MAX_QUOTE_LENGTH = 2000
LONG_WHITESPACE = re.compile(r"\s\s+")


class Body:
    """An article body prepared for finding many quotes in it."""

    def __init__(self, text):
        self.text = text
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
        """(start, end) of `quote` in the text, or None."""
        words = quote.split()
        if not words:
            return None
        needle = " ".join(words)
        at = self.collapsed.find(needle)
        if at < 0:
            return None
        return self.original(at), self.original(at + len(needle) - 1) + 1


def find_quote(body, quote):
    """(start, end) of `quote` in the text `body`, where any run of whitespace matches any other."""
    return Body(body).find(quote)


def locate(claim, body):
    """Set the claim's position and value fields from its quote in `body` (the `Body` of its
    article), or raise ValidationError naming the field at fault."""
    if len(claim.quote) > MAX_QUOTE_LENGTH:
        raise ValidationError(
            {"quote": f"A quote is at most {MAX_QUOTE_LENGTH:,} characters; this one has {len(claim.quote):,}."}
        )
    errors = date_errors(claim) if claim.figure_id else {}
    if claim.figure_id and claim.unit and UNIT_DIMENSION.get(claim.unit) != MEASURE_DIMENSION.get(claim.figure.measure):
        errors["unit"] = (
            f"{Unit(claim.unit).label.capitalize()} cannot measure “{claim.figure.get_measure_display()}”; "
            f"use {', '.join(Unit(u).label for u in units_for(claim.figure.measure))}."
        )
    if claim.value_high is not None and claim.value is not None and claim.value_high <= claim.value:
        errors["value_high"] = f"The top of a range is larger than its value, {format_decimal(claim.value)}."
    span = body.find(claim.quote)
    if span is None:
        errors["quote"] = quote_not_found(claim.article)
    errors.update(attribution_errors(claim, body))
    if errors:
        raise ValidationError(errors)
    # Nothing is set until everything is found: a refused claim keeps the positions it had.
    start, end = span
    printed = printed_value(body.text[start:end], claim.value, claim.bound, claim.unit, claim.value_high)
    claim.quote_start, claim.quote_end = start, end
    claim.value_start = start + printed.start
    claim.value_end = start + printed.end
    claim.value_printed = printed.text[:200]
    claim.normalised_value = to_base_unit(claim.value, claim.unit)
    claim.normalised_precision = to_base_unit(printed.precision, claim.unit)
    claim.normalised_high = None if claim.value_high is None else to_base_unit(claim.value_high, claim.unit)


def attribution_errors(claim, body):
    """{field: message} for the words a claim quotes beside its quote, its origin's and its
    speaker's title: each is found in the body like a quote, and an origin comes with its words."""
    errors = {}
    origin_words, title = (claim.origin_words or "").strip(), (claim.speaker_title or "").strip()
    if claim.origin_id and not origin_words:
        errors["origin_words"] = "Give the article's words that name this origin (“According to the conference”)."
    elif origin_words and not claim.origin_id:
        errors["origin"] = "Choose the origin these words name, or leave the words empty."
    elif origin_words and body.find(origin_words) is None:
        errors["origin_words"] = f"These words do not appear in the body of the article “{claim.article}”."
    if title and body.find(title) is None:
        errors["speaker_title"] = f"This title does not appear in the body of the article “{claim.article}”."
    return errors


def quote_not_found(article):
    return f"This quote does not appear in the body of the article “{article}”."


def printed_value(passage, value, bound, unit=None, high=None):
    """The number in `passage` that prints `value` (with `high`, the range) with `bound` and
    `unit`, or raise ValidationError."""
    same_value = printed_numbers.find_numbers(passage, only=abs(value))
    candidates = [number for number in same_value if printed_numbers.matches_value(number, value, high)]
    if not candidates:
        raise ValidationError(_not_printed(passage, value, high, same_value))
    if value < 0 and not printed_numbers.DECREASE_WORDS.search(passage):
        raise ValidationError(
            {
                "value": f"The quote prints {format_decimal(-value)} but says nothing of a decrease, "
                f"so the value cannot be {format_decimal(value)}."
            }
        )
    bounded = [number for number in candidates if number.bound in (Bound.EXACT, bound)]
    if not bounded:
        number = candidates[0]
        raise ValidationError(
            {
                "bound": f"The quote prints “{number.text}”: the bound should be “{Bound(number.bound).label}”, "
                f"not “{Bound(bound).label}”."
            }
        )
    for number in bounded:
        if number.unit is None or unit is None or number.unit == unit:
            return number
    number = bounded[0]
    raise ValidationError(
        {
            "unit": f"The quote prints “{number.printed}”: the unit should be {Unit(number.unit).label}, "
            f"not {Unit(unit).label}."
        }
    )


def _not_printed(passage, value, high, same_value):
    """The message for a value (or range) the quote does not print, naming what it prints."""
    for number in same_value:
        if number.high is not None and high is None:
            return {
                "value_high": f"The quote prints the range “{number.text}”: "
                f"give {format_decimal(number.high)} as the high value."
            }
        if number.high is None and high is not None:
            return {"value_high": f"The quote prints “{number.text}”, not a range: leave the high value empty."}
    claimed = format_decimal(value) if high is None else f"{format_decimal(value)} to {format_decimal(high)}"
    found = ", ".join(f"“{number.text}”" for number in printed_numbers.find_numbers(passage)) or "no number"
    return {"value": f"The quote does not print {claimed}: it prints {found}."}
