"""The claim desk: an article's numbers, what the text says of each, and the figures each may be.

Everything here reads what the rules layer reads (`printed_numbers`: value, bound, unit, range)
so that a claim started from the desk is already what the text prints; the claim is still
saved through `Claim.save()`, which checks it like any other write.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.text import slugify

from .locating import MAX_QUOTE_LENGTH
from .models import Claim, DismissedNumber, Figure, Operation, OperationAlias, Person, format_decimal
from .printed_numbers import figures_in
from .views.wording import claim_amount
from .vocabulary import BOUND, MEASURE_DIMENSION, UNIT, UNIT_DIMENSION, Measure, to_base_unit

SUGGESTIONS = 8
NEAR = Decimal("0.1")  # a value within 10% of another source's is listed next after the same value
SLUG_LENGTH = 60
# Full stops that do not end a sentence: "Mr. Sun", "No. 5", "Sept. 2", "U.S. customs".
ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|No|Nos|St|Gen|Col|Capt|Lt|Sgt|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    r"approx|etc|vs|Inc|Ltd|Co)|\b[A-Z])\.$"
)
SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s)|\n")
SAID = re.compile(r"\b(?:said|says|told|added|according to|stated|explained|noted)\b", re.IGNORECASE)


@dataclass
class DeskNumber:
    number: object  # printed_numbers.PrintedNumber
    claims: list = field(default_factory=list)
    dismissal: DismissedNumber | None = None

    @property
    def state(self):
        return "claimed" if self.claims else "dismissed" if self.dismissal else "unclaimed"


def desk_numbers(article):
    """Every number the body prints that could be a figure, with the claims that state it and its
    dismissal (two queries)."""
    claims = list(article.claims.select_related("figure").order_by("value_start", "pk"))
    dismissals = {dismissal.start: dismissal for dismissal in article.dismissed_numbers.select_related("dismissed_by")}
    numbers = []
    for number in figures_in(article.body):
        stating = [claim for claim in claims if claim.value_start < number.end and number.start < claim.value_end]
        numbers.append(DeskNumber(number, stating, dismissals.get(number.start)))
    return numbers


def sentence_around(body, start, end):
    """The whole sentence of `body` that holds body[start:end]: from the end of the sentence
    before to the end of its own, at most `MAX_QUOTE_LENGTH` characters."""
    sentence_start = 0
    for match in SENTENCE_END.finditer(body, 0, start):
        if not ABBREVIATIONS.search(body[max(0, match.start() - 6) : match.start() + 1]):
            sentence_start = match.end()
    sentence_end = len(body)
    for match in SENTENCE_END.finditer(body, end):
        if match.group() == "\n" or not ABBREVIATIONS.search(body[max(0, match.start() - 6) : match.start() + 1]):
            sentence_end = match.end() if match.group() != "\n" else match.start()
            break
    sentence = body[sentence_start:sentence_end].strip()
    if len(sentence) > MAX_QUOTE_LENGTH:  # keep the number, cut at word boundaries
        half = MAX_QUOTE_LENGTH // 2
        left = body.rfind(" ", max(sentence_start, start - half), start) + 1 or start
        right = body.find(" ", end, min(sentence_end, left + MAX_QUOTE_LENGTH))
        sentence = body[left : right if right > 0 else min(sentence_end, left + MAX_QUOTE_LENGTH)].strip()
    return sentence


def named_operations(article):
    """The operations whose name or an alias the article's title or body prints, each with its
    `names` (three queries)."""
    text = f"{article.title}\n{article.body}".casefold()
    names = {}
    for pk, name in [
        *Operation.objects.values_list("pk", "name"),
        *OperationAlias.objects.values_list("operation_id", "name"),
    ]:
        names.setdefault(pk, []).append(name)
    named = {
        pk: found for pk, all_names in names.items() if (found := [name for name in all_names if _prints(text, name)])
    }
    operations = list(Operation.objects.filter(pk__in=named).order_by("name"))
    for operation in operations:
        operation.names = names[operation.pk]
    return operations


def prints_operation(text, operation):
    """Does `text` print the operation's name or one of its aliases (see `named_operations`)?"""
    return any(_prints(text.casefold(), name) for name in operation.names)


def _prints(text, name):
    name = name.casefold().strip()
    return bool(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def speaker_in(sentence):
    """The one person the archive knows that the sentence quotes ("…, Sun said"), or None
    (one query)."""
    found = []
    for person in Person.objects.only("pk", "name"):
        parts = [person.name, *(part for part in person.name.split() if len(part) >= 3 and part[0].isupper())]
        if any(re.search(rf"(?<!\w){re.escape(part)}(?!\w)", sentence) for part in parts):
            found.append(person)
    full = [person for person in found if person.name in sentence]
    if len(full) == 1:
        return full[0]
    return found[0] if len(found) == 1 and SAID.search(sentence) else None


@dataclass
class Suggestion:
    figure: Figure
    same: bool  # another source gives it this value
    near: bool  # ... or one within 10%
    named: bool  # its operation is one the article names
    values: list  # [(outlet name, amount)] other sources give it


def measures_for(unit):
    """The measures a number printed in `unit` may be a value of: all of them when no unit is printed."""
    if unit is None:
        return list(Measure.values)
    return [measure for measure, dimension in MEASURE_DIMENSION.items() if dimension == UNIT_DIMENSION[unit]]


def suggestions(article, number, operations, limit=SUGGESTIONS):
    """The figures `number` may be a value of, most likely first (two queries): figures of the
    operations the article names, or that another source gives the same or a near value, whose
    measure fits the printed unit; those given the same value first, then a near one."""
    measures = measures_for(number.unit)
    value = number.value
    same_value = Q(value=value) if number.unit is None else Q(normalised_value=to_base_unit(value, number.unit))
    others = Claim.objects.published().exclude(article=article)
    given_same = others.filter(same_value)
    candidates = (
        Figure.objects.filter(measure__in=measures)
        .filter(Q(operation__in=operations) | Q(pk__in=given_same.values("figure_id")))
        .annotate(given_same=Exists(given_same.filter(figure=OuterRef("pk"))))
        .select_related("operation", "organisation")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=others.select_related("article__outlet").order_by("article__outlet__name", "pk"),
                to_attr="other_claims",
            )
        )
        .order_by("-given_same", "title", "pk")[: limit * 5]
    )
    named = {operation.pk for operation in operations}
    ranked = []
    for figure in candidates:
        amounts = [claim_amount(claim) for claim in figure.other_claims]
        plain = [claim.value for claim in figure.other_claims]
        if number.unit is not None:
            target = to_base_unit(value, number.unit)
            amounts_base = [claim.normalised_value for claim in figure.other_claims]
        else:
            target, amounts_base = value, plain
        same = target in amounts_base
        near = not same and any(abs(other - target) <= abs(target) * NEAR for other in amounts_base)
        values = [(claim.article.outlet.name, text) for claim, text in zip(figure.other_claims, amounts, strict=True)]
        ranked.append(Suggestion(figure, same, near, figure.operation_id in named, values))
    ranked.sort(key=lambda s: (not s.same, not s.near, not s.named, s.figure.title, s.figure.pk))
    return ranked[:limit]


def period_text(start, end):
    """ "June 2019", "4–30 June 2019", "2019", "September–October 2019", or "" without dates."""
    if not start:
        return ""
    end = end or start
    if (start.day, end.day) == (1, _last_day(end)) or start == end:
        if start.year == end.year and start.month == end.month:
            return f"{start:%B %Y}" if start != end else f"{start.day} {start:%B %Y}"
        if (start.month, end.month) == (1, 12) and start.year == end.year:
            return str(start.year)
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start:%B}–{end:%B %Y}"
    return f"{start:%B %Y}–{end:%B %Y}"


def _last_day(day):
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return (following - date.resolution).day


def suggested_title(measure, subject, organisation, operation, start, end):
    """ "Weight seized of ivory by China customs in Operation Thunderball, June 2019"."""
    title = Measure(measure).label.capitalize()
    if subject:
        title += f" of {subject}"
    if organisation:
        title += f" by {organisation.short_name or organisation.name}"
    if operation:
        title += f" in {operation.name}"
    if period := period_text(start, end):
        title += f", {period}"
    return title


def suggested_slug(measure, subject, organisation, operation, start):
    """A short slug, unique among figures: operation, year, measure, subject, organisation."""
    parts = [
        operation.slug if operation else "",
        str(start.year) if start and not (operation and str(start.year) in operation.slug) else "",
        measure.replace("_", "-"),
        subject,
        (organisation.short_name or organisation.name) if organisation else "",
    ]
    words = slugify(" ".join(part for part in parts if part)).split("-")
    slug = ""
    for word in words:
        if len(f"{slug}-{word}".strip("-")) > SLUG_LENGTH - 3:
            break
        slug = f"{slug}-{word}".strip("-")
    taken = set(Figure.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, counter = slug, 2
    while candidate in taken:
        candidate, counter = f"{slug}-{counter}", counter + 1
    return candidate


def claim_initial(article, number):
    """A claim's fields as the text prints them: value, range, unit, bound, the whole sentence as
    the quote and the person it quotes."""
    sentence = sentence_around(article.body, number.start, number.end)
    speaker = speaker_in(sentence)
    return {
        "value": number.value,
        "value_high": number.high,
        "unit": number.unit or "",
        "bound": number.bound,
        "quote": sentence,
        "speaker": speaker.pk if speaker else None,
    }


def number_label(number):
    bound = BOUND[number.bound]
    unit = UNIT[number.unit].label if number.unit else "no unit printed"
    value = format_decimal(number.value)
    if number.high is not None:
        value += f" to {format_decimal(number.high)}"
    return f"{value} ({bound.label}, {unit})"
