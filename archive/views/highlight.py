"""Article text with its claimed quotes marked. Every piece of text is escaped on its own, so
no HTML in an article or a quote ever becomes live; the only markup is the archive's."""

import re
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from .wording import claim_amount

PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")
SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s|$)|\n")
ENDS_SENTENCE = re.compile(r"[.!?][\"”’)]*$")
CONTEXT_CHARS = 300


@dataclass
class Passage:
    """Quotes that overlap, merged: one highlighted stretch of the body."""

    start: int
    end: int
    claims: list


def passages(claims):
    merged = []
    for claim in sorted(claims, key=lambda claim: (claim.quote_start, claim.quote_end, claim.pk)):
        if merged and claim.quote_start < merged[-1].end:
            merged[-1].end = max(merged[-1].end, claim.quote_end)
            merged[-1].claims.append(claim)
        else:
            merged.append(Passage(claim.quote_start, claim.quote_end, [claim]))
    return merged


def claim_references(claims):
    """After a passage: a link from each of its claims to its figure."""
    links = format_html_join(
        " ",
        '<a class="claim-ref" href="{}#claim-{}" title="{}">{}</a>',
        ((claim.figure.get_absolute_url(), claim.pk, claim.figure.title, claim_amount(claim)) for claim in claims),
    )
    return format_html('<span class="claim-refs">{}</span>', links)


def _mark(body, passage, start, end):
    pieces = []
    position = start
    for claim in passage.claims:
        if start <= claim.quote_start < end:
            pieces.append(escape(body[position : claim.quote_start]))
            pieces.append(format_html('<span class="anchor" id="claim-{}"></span>', claim.pk))
            position = claim.quote_start
    pieces.append(escape(body[position:end]))
    ids = " ".join(str(claim.pk) for claim in passage.claims)
    html = format_html('<mark class="quote" data-claims="{}">{}</mark>', ids, mark_safe("".join(pieces)))
    if passage.end <= end:
        html += claim_references(passage.claims)
    return html


def highlighted_paragraphs(body, claims):
    """The body as one safe HTML string per paragraph (a line with text), each claim's quote
    inside a <mark> with an empty anchor `claim-<id>` where the quote starts. Quotes that
    overlap share one mark; a mark that spans paragraphs is closed and reopened at the break."""
    queue = passages(claims)
    paragraphs = []
    first = 0
    for match in PARAGRAPH.finditer(body):
        start, end = match.span()
        pieces = []
        position = start
        while first < len(queue) and queue[first].end <= start:
            first += 1
        for passage in queue[first:]:
            if passage.start >= end:
                break
            mark_start, mark_end = max(passage.start, start), min(passage.end, end)
            pieces.append(escape(body[position:mark_start]))
            pieces.append(_mark(body, passage, mark_start, mark_end))
            position = mark_end
        pieces.append(escape(body[position:end]))
        paragraphs.append(mark_safe("".join(pieces)))
    return paragraphs


def _lead_in(before, at_start_of_body):
    """The end of `before` from the last sentence break on."""
    breaks = list(SENTENCE_END.finditer(before))
    if breaks:
        return before[breaks[-1].end() :].lstrip()
    return before.lstrip() if at_start_of_body else "…" + before.lstrip()


def _follow_on(passage, after, at_end_of_body):
    if ENDS_SENTENCE.search(passage) or not after.strip():
        return ""
    found = SENTENCE_END.search(after)
    if found:
        return after[: found.start() + len(found.group(0).rstrip("\n"))].rstrip()
    return after.rstrip() if at_end_of_body else after.rstrip() + "…"


def quote_in_context(claim, before, passage, after):
    """The quote inside its sentence, the quote marked and its value in bold:
    `before` and `after` are up to CONTEXT_CHARS characters of the body each side of it."""
    value_from = claim.value_start - claim.quote_start
    value_to = claim.value_end - claim.quote_start
    return format_html(
        '{}<mark class="quote">{}<strong>{}</strong>{}</mark>{}',
        _lead_in(before, claim.quote_start <= CONTEXT_CHARS),
        passage[:value_from],
        passage[value_from:value_to],
        passage[value_to:],
        _follow_on(passage, after, len(after) < CONTEXT_CHARS),
    )
