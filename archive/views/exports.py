"""The rows of a public list as CSV or JSON, streamed a chunk at a time."""

import csv
import json
from decimal import Decimal

from django.http import StreamingHttpResponse

from ..claim_dates import stated_date
from ..origins import FigureOrigins, figure_origins
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


def iso(day):
    return day.isoformat() if day else ""


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
        "speaker_title": claim.speaker_title,
        "origin": claim.origin.name if claim.origin else None,
        "origin_words": claim.origin_words,
        "stated_on": iso(stated_date(claim)) or None,
        "article": article_json(claim.article, absolute),
    }
    if figure:
        row["figure"] = {
            "slug": claim.figure.slug,
            "title": claim.figure.title,
            "status": claim.figure.status,
            "url": absolute(claim.figure.get_absolute_url()),
            "possible_misattributions": [other.slug for other in claim.figure.public_misattributions],
        }
    return row


def figure_json(figure, absolute):
    return {
        **figure_fields(figure, absolute),
        "claims": [claim_json(claim, absolute, figure=False) for claim in figure.public_claims],
    }


def figure_fields(figure, absolute):
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
        **origin_fields(figure),
    }


def origin_fields(figure):
    """The figure's outlets, independent origins and transmission errors, from its public claims."""
    summary = figure_origins(figure.public_claims).get(figure.pk, FigureOrigins())
    return {
        "outlet_count": summary.outlet_count,
        "origin_count": summary.origin_count,
        "origins": summary.origins,
        "transmission_errors": [
            {"origin": error.origin, "claims": [claim.pk for claim in error.claims]}
            for error in summary.transmission_errors
        ],
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
    "speaker_title",
    "origin",
    "origin_words",
    "outlet",
    "article",
    "article_title",
    "article_url",
    "published_on",
    "stated_on",
    "quote_url",
    "figure_possible_misattributions",
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
        safe_cell(claim.speaker_title),
        safe_cell(claim.origin.name) if claim.origin else "",
        safe_cell(claim.origin_words),
        safe_cell(claim.article.outlet.name),
        claim.article.slug,
        safe_cell(claim.article.title),
        claim.article.url,
        claim.article.published_on.isoformat() if claim.article.published_on else "",
        iso(stated_date(claim)),
        absolute(f"{claim.article.get_absolute_url()}#claim-{claim.pk}"),
        " ".join(other.slug for other in claim.figure.public_misattributions),
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
    "outlet_count",
    "origin_count",
    "origins",
    "transmission_errors",
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
        *origin_cells(figure),
        absolute(figure.get_absolute_url()),
    ]


def origin_cells(figure):
    fields = origin_fields(figure)
    return [
        fields["outlet_count"],
        fields["origin_count"],
        safe_cell("; ".join(fields["origins"])),
        safe_cell("; ".join(error["origin"] for error in fields["transmission_errors"])),
    ]


ARTICLE_COLUMNS = ["slug", "title", "outlet", "published_on", "byline", "language", "claim_count", "url", "archive_url"]


def article_fields(article, absolute):
    return {**article_json(article, absolute), "byline": article.byline, "language": article.language}


def article_row_json(article, absolute):
    """An article of the articles list: its fields and the number of its published claims."""
    return {**article_fields(article, absolute), "claim_count": article.claim_count}


def article_csv(article, absolute):
    return [
        article.slug,
        safe_cell(article.title),
        safe_cell(article.outlet.name),
        article.published_on.isoformat() if article.published_on else "",
        safe_cell(article.byline),
        article.language,
        article.claim_count,
        article.url,
        absolute(article.get_absolute_url()),
    ]


OPERATION_COLUMNS = [
    "slug",
    "name",
    "aliases",
    "focus",
    "start_date",
    "end_date",
    "coordinators",
    "figure_count",
    "url",
]


def operation_fields(operation, absolute):
    return {
        "slug": operation.slug,
        "name": operation.name,
        "aliases": [{"name": alias.name, "note": alias.note} for alias in operation.aliases.all()],
        "focus": operation.focus,
        "start_date": operation.start_date.isoformat() if operation.start_date else None,
        "end_date": operation.end_date.isoformat() if operation.end_date else None,
        "coordinators": [organisation.name for organisation in operation.coordinators.all()],
        "url": absolute(operation.get_absolute_url()),
    }


def operation_json(operation, absolute):
    """An operation of the operations list: its fields and the number of its public figures."""
    return {**operation_fields(operation, absolute), "figure_count": operation.figure_count}


def operation_csv(operation, absolute):
    return [
        operation.slug,
        safe_cell(operation.name),
        safe_cell("; ".join(alias.name for alias in operation.aliases.all())),
        safe_cell(operation.focus),
        operation.start_date.isoformat() if operation.start_date else "",
        operation.end_date.isoformat() if operation.end_date else "",
        safe_cell("; ".join(organisation.name for organisation in operation.coordinators.all())),
        operation.figure_count,
        absolute(operation.get_absolute_url()),
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
    """A list's rows: `count` rows match; `next_url` and `previous_url`: the other pages of an
    export by page."""
    head = {"count": count, "next": next_url, "previous": previous_url, "licence": LICENCE}
    return record_response(head, "results", make_row, object_list, absolute)


def record_response(record, key, make_row, object_list, absolute):
    """`record` (a dict) with the rows of `object_list` streamed as its list `key`."""
    opening = json.dumps(record, ensure_ascii=False)[:-1] + (", " if record else "")

    def pieces():
        yield f"{opening}{json.dumps(key)}: ["
        for index, item in enumerate(rows_of(object_list)):
            yield ("," if index else "") + json.dumps(make_row(item, absolute), ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(pieces(), content_type="application/json; charset=utf-8")
    response["Link"] = LICENCE_LINK
    return response
