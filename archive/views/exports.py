"""The rows of a public list as CSV or JSON, streamed a chunk at a time."""

import csv
import json
from decimal import Decimal

from django.http import StreamingHttpResponse

from .wording import base_unit_of, claim_amount

CHUNK_SIZE = 500
# The archive's data (figures, claims, statuses, hints) is open; the articles it quotes remain
# their publishers'. The JSON carries it as a key, CSV in a Link header (a column would break rows).
LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
LICENCE_LINK = f'<{LICENCE["url"]}>; rel="license"'
# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def number(value):
    """A Decimal as a JSON number: an integer when whole, else a float (the CSV keeps every digit)."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def plain(value):
    return format(Decimal(value).normalize(), "f")


def safe_cell(text):
    return "'" + text if text and text.startswith(FORMULA_START) else text


def article_json(article, absolute):
    return {
        "slug": article.slug,
        "title": article.title,
        "url": article.url,
        "archive_url": absolute(article.get_absolute_url()),
        "outlet": article.outlet.name,
        "published_on": article.published_on.isoformat() if article.published_on else None,
    }


def claim_json(claim, absolute, figure=True):
    row = {
        "id": claim.pk,
        "value": number(claim.value),
        "value_high": None if claim.value_high is None else number(claim.value_high),
        "unit": claim.unit,
        "bound": claim.bound,
        "value_printed": claim.value_printed,
        "normalised_value": number(claim.normalised_value),
        "normalised_high": None if claim.normalised_high is None else number(claim.normalised_high),
        "normalised_unit": base_unit_of(claim.unit),
        "quote": claim.quote,
        "quote_url": absolute(f"{claim.article.get_absolute_url()}#claim-{claim.pk}"),
        "speaker": claim.speaker.name if claim.speaker else None,
        "article": article_json(claim.article, absolute),
    }
    if figure:
        row["figure"] = {
            "slug": claim.figure.slug,
            "title": claim.figure.title,
            "status": claim.figure.status,
            "url": absolute(claim.figure.get_absolute_url()),
        }
    return row


def figure_json(figure, absolute):
    return {
        "slug": figure.slug,
        "title": figure.title,
        "status": figure.status,
        "measure": figure.measure,
        "subject": figure.subject,
        "organisation": figure.organisation.name,
        "operation": {"slug": figure.operation.slug, "name": figure.operation.name} if figure.operation else None,
        "period_start": figure.period_start.isoformat() if figure.period_start else None,
        "period_end": figure.period_end.isoformat() if figure.period_end else None,
        "url": absolute(figure.get_absolute_url()),
        "possible_misattributions": [other.slug for other in figure.public_misattributions],
        "claims": [claim_json(claim, absolute, figure=False) for claim in figure.public_claims],
    }


CLAIM_COLUMNS = [
    "id",
    "figure",
    "figure_title",
    "figure_status",
    "value",
    "value_high",
    "unit",
    "bound",
    "value_printed",
    "normalised_value",
    "normalised_high",
    "normalised_unit",
    "quote",
    "speaker",
    "outlet",
    "article",
    "article_title",
    "article_url",
    "published_on",
    "quote_url",
]


def claim_csv(claim, absolute):
    return [
        claim.pk,
        claim.figure.slug,
        safe_cell(claim.figure.title),
        claim.figure.status,
        plain(claim.value),
        "" if claim.value_high is None else plain(claim.value_high),
        claim.unit,
        claim.bound,
        safe_cell(claim.value_printed),
        plain(claim.normalised_value),
        "" if claim.normalised_high is None else plain(claim.normalised_high),
        base_unit_of(claim.unit),
        safe_cell(claim.quote),
        safe_cell(claim.speaker.name) if claim.speaker else "",
        safe_cell(claim.article.outlet.name),
        claim.article.slug,
        safe_cell(claim.article.title),
        claim.article.url,
        claim.article.published_on.isoformat() if claim.article.published_on else "",
        absolute(f"{claim.article.get_absolute_url()}#claim-{claim.pk}"),
    ]


FIGURE_COLUMNS = [
    "slug",
    "title",
    "status",
    "measure",
    "subject",
    "organisation",
    "operation",
    "period_start",
    "period_end",
    "claims",
    "values",
    "possible_misattributions",
    "url",
]


def figure_csv(figure, absolute):
    return [
        figure.slug,
        safe_cell(figure.title),
        figure.status,
        figure.measure,
        safe_cell(figure.subject),
        safe_cell(figure.organisation.name),
        figure.operation.slug if figure.operation else "",
        figure.period_start.isoformat() if figure.period_start else "",
        figure.period_end.isoformat() if figure.period_end else "",
        len(figure.public_claims),
        safe_cell("; ".join(f"{claim.article.outlet.name}: {claim_amount(claim)}" for claim in figure.public_claims)),
        " ".join(other.slug for other in figure.public_misattributions),
        absolute(figure.get_absolute_url()),
    ]


class Echo:
    def write(self, value):
        return value


def rows_of(object_list):
    if hasattr(object_list, "iterator"):
        return object_list.iterator(chunk_size=CHUNK_SIZE)
    return iter(object_list)


def csv_response(filename, columns, make_row, object_list, absolute):
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(columns)
        for item in rows_of(object_list):
            yield writer.writerow(make_row(item, absolute))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = LICENCE_LINK
    return response


def json_response(count, make_row, object_list, absolute, next_url=None, previous_url=None):
    """`count` rows; `next_url` and `previous_url`: the other pages of an export by page."""

    def pieces():
        yield (
            f'{{"count": {count}, "next": {json.dumps(next_url)}, "previous": {json.dumps(previous_url)}, '
            f'"licence": {json.dumps(LICENCE)}, "results": ['
        )
        for index, item in enumerate(rows_of(object_list)):
            yield ("," if index else "") + json.dumps(make_row(item, absolute), ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(pieces(), content_type="application/json; charset=utf-8")
    response["Link"] = LICENCE_LINK
    return response
