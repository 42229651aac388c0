"""The rows of a public list as CSV or JSON, streamed a chunk at a time."""

import csv
import io
import json
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from ..claim_dates import stated_date
from ..filters import among, public_claims, public_figures
from ..models import Figure
from ..origins import FigureOrigins, Source, figure_origins
from .wording import base_unit_of, claim_amount

# Rows a response sends at a time and a query of plain values reads at a time; rows read as
# models, with what they prefetch, are read fewer at a time to keep memory low.
CHUNK_SIZE = 2000
MODELS_CHUNK_SIZE = 500
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


def article_json(slug, title, url, outlet, published_on, absolute):
    return {
        "slug": slug,
        "title": title,
        "url": url,
        "archive_url": addresses_of(absolute).of("archive:article_detail", slug),
        "outlet": outlet,
        "published_on": published_on.isoformat() if published_on else None,
    }


class ClaimRow(NamedTuple):
    """What a claim's row of a download says, read as plain values (`claim_values`)."""

    pk: int
    figure_id: int
    figure_slug: str | None
    figure_title: str | None
    figure_status: str | None
    value: Decimal
    value_high: Decimal | None
    unit: str
    bound: str
    value_printed: str
    normalised_value: Decimal
    normalised_high: Decimal | None
    quote: str
    speaker: str | None
    speaker_title: str
    origin: str | None
    origin_words: str
    outlet: str
    article_slug: str
    article_title: str
    article_url: str
    published_on: object
    stated_on: object
    misattributions: tuple = ()  # the slugs of the public figures the figure is possibly misattributed to

    @property
    def article(self):
        """The row itself, which holds the article's date: `stated_date(row)` reads the claim's rule."""
        return self

    @classmethod
    def of(cls, claim, figure=True):
        """A claim loaded as a model, with its article, outlet, speaker and origin and, when
        `figure`, its figure with its public misattributions."""
        article = claim.article
        about = claim.figure if figure else None
        return cls(
            claim.pk,
            claim.figure_id,
            about and about.slug,
            about and about.title,
            about and about.status,
            claim.value,
            claim.value_high,
            claim.unit,
            claim.bound,
            claim.value_printed,
            claim.normalised_value,
            claim.normalised_high,
            claim.quote,
            claim.speaker.name if claim.speaker else None,
            claim.speaker_title,
            claim.origin.name if claim.origin else None,
            claim.origin_words,
            article.outlet.name,
            article.slug,
            article.title,
            article.url,
            article.published_on,
            claim.stated_on,
            tuple(other.slug for other in about.public_misattributions) if figure else (),
        )


# The columns a query reads for each field of ClaimRow but its misattributions.
CLAIM_VALUES = [
    "pk",
    "figure_id",
    "figure__slug",
    "figure__title",
    "figure__status",
    "value",
    "value_high",
    "unit",
    "bound",
    "value_printed",
    "normalised_value",
    "normalised_high",
    "quote",
    "speaker__name",
    "speaker_title",
    "origin__name",
    "origin_words",
    "article__outlet__name",
    "article__slug",
    "article__title",
    "article__url",
    "article__published_on",
    "stated_on",
]


def claim_values(claims, figure=True):
    """Each claim of `claims` as a ClaimRow. A queryset is read as plain values, a chunk at a
    time: one query for the rows, one for their figures' misattributions. A list holds claims
    loaded as models (a page of a list; a figure's claims, read without their figure when not `figure`)."""
    if isinstance(claims, QuerySet):
        return values_of(claims)
    return (ClaimRow.of(claim, figure) for claim in claims)


def values_of(claims):
    slugs = None
    for values in claims.prefetch_related(None).values_list(*CLAIM_VALUES).iterator(chunk_size=CHUNK_SIZE):
        if slugs is None:  # read once there are rows, as a prefetch would be
            slugs = misattribution_slugs(claims.values("figure_id"))
        yield ClaimRow(*values, slugs.get(values[1], ()))


def misattribution_slugs(figures):
    """{figure id: the slugs of the public figures it is possibly misattributed to, by title}
    for `figures`, ids or a query of them."""
    chosen = among("from_figure", figures) if isinstance(figures, list) else Q(from_figure__in=figures)
    pairs = (
        Figure.possible_misattributions.through.objects.filter(chosen, to_figure__in=public_figures())
        .order_by("from_figure_id", "to_figure__title", "to_figure_id")
        .values_list("from_figure_id", "to_figure__slug")
    )
    slugs = {}
    for figure, slug in pairs:
        slugs.setdefault(figure, []).append(slug)
    return {figure: tuple(each) for figure, each in slugs.items()}


class Addresses:
    """A response's absolute addresses: of a path, `addresses(path)`, and of a record's page by
    its slug, `addresses.of(name, slug)`, which reverses the page's address once, not per row."""

    PLACEHOLDER = "slug-placeholder"

    def __init__(self, absolute):
        self.absolute = absolute
        self.pages = {}

    def __call__(self, path):
        return self.absolute(path)

    def of(self, name, slug):
        if name not in self.pages:
            address = self.absolute(reverse(name, args=[self.PLACEHOLDER]))
            head, _, tail = address.rpartition(self.PLACEHOLDER)
            self.pages[name] = head, tail
        head, tail = self.pages[name]
        return f"{head}{slug}{tail}"


def addresses_of(absolute):
    return absolute if isinstance(absolute, Addresses) else Addresses(absolute)


def quote_url(row, addresses):
    return f"{addresses.of('archive:article_detail', row.article_slug)}#claim-{row.pk}"


def claim_json(row, addresses, figure=True):
    """A ClaimRow as JSON; with its figure unless listed under it."""
    data = {
        "id": row.pk,
        "value": number(row.value),
        "value_high": None if row.value_high is None else number(row.value_high),
        "unit": row.unit,
        "bound": row.bound,
        "value_printed": row.value_printed,
        "normalised_value": number(row.normalised_value),
        "normalised_high": None if row.normalised_high is None else number(row.normalised_high),
        "normalised_unit": base_unit_of(row.unit),
        "quote": row.quote,
        "quote_url": quote_url(row, addresses),
        "speaker": row.speaker,
        "speaker_title": row.speaker_title,
        "origin": row.origin,
        "origin_words": row.origin_words,
        "stated_on": iso(stated_date(row)) or None,
        "article": article_json(
            row.article_slug, row.article_title, row.article_url, row.outlet, row.published_on, addresses
        ),
    }
    if figure:
        data["figure"] = {
            "slug": row.figure_slug,
            "title": row.figure_title,
            "status": row.figure_status,
            "url": addresses.of("archive:figure_detail", row.figure_slug),
            "possible_misattributions": list(row.misattributions),
        }
    return data


def figure_claim_json(row, addresses):
    """A claim listed under its figure."""
    return claim_json(row, addresses, figure=False)


class FigureRow(NamedTuple):
    """What a figure's row of a download says, read as plain values (`figure_values`): its
    published claims as ClaimRows without their figure, and what they amount to."""

    pk: int
    slug: str
    title: str
    status: str
    measure: str
    subject: str
    organisation: str
    operation_slug: str | None
    operation_name: str | None
    period_start: object
    period_end: object
    misattributions: tuple  # the slugs of the public figures it is possibly misattributed to
    claims: list
    origins: FigureOrigins

    @classmethod
    def of(cls, figure):
        """A figure loaded as a model, with its operation and organisation, and its
        `public_claims` (with article, outlet, speaker and origin) and `public_misattributions`."""
        operation = figure.operation
        return cls(
            figure.pk,
            figure.slug,
            figure.title,
            figure.status,
            figure.measure,
            figure.subject,
            figure.organisation.name,
            operation and operation.slug,
            operation and operation.name,
            figure.period_start,
            figure.period_end,
            tuple(other.slug for other in figure.public_misattributions),
            [ClaimRow.of(claim, figure=False) for claim in figure.public_claims],
            figure_origins(figure.public_claims).get(figure.pk, FigureOrigins()),
        )


# The columns a query reads for each field of FigureRow before its misattributions.
FIGURE_VALUES = [
    "pk",
    "slug",
    "title",
    "status",
    "measure",
    "subject",
    "organisation__name",
    "operation__slug",
    "operation__name",
    "period_start",
    "period_end",
]
# A figure's claims in a download: the fields of ClaimRow but its figure's, then what Source
# reads besides.
FIGURE_CLAIM_VALUES = [
    *(name for name in CLAIM_VALUES if not name.startswith("figure__")),
    "article_id",
    "article__copy_of_id",
    "article__outlet_id",
    "origin_id",
    "normalised_precision",
]
CLAIMS_SIDE_BY_SIDE = ("-normalised_value", "article__published_on", "pk")


def figure_values(figures):
    """Each figure of `figures` as a FigureRow. A queryset is read as plain values, a chunk of
    figures at a time: one query for the figures and, for each chunk, one for their published
    claims and one for their misattributions. A list holds figures loaded as models (a page of
    the list), as `FigureRow.of` reads them."""
    if isinstance(figures, QuerySet):
        return figure_values_of(figures)
    return (FigureRow.of(figure) for figure in figures)


def figure_values_of(figures):
    rows = figures.prefetch_related(None).values_list(*FIGURE_VALUES).iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        ids = [values[0] for values in chunk]
        claims, sources = {}, []
        # The keys as one array parameter: an IN list of 2,000 is prepared key by key.
        chunk_claims = public_claims().filter(among("figure", ids))
        for pk, figure_id, *values in chunk_claims.order_by(*CLAIMS_SIDE_BY_SIDE).values_list(*FIGURE_CLAIM_VALUES):
            *fields, article_id, copy_of_id, outlet_id, origin_id, precision = values
            row = ClaimRow(pk, figure_id, None, None, None, *fields)
            claims.setdefault(figure_id, []).append(row)
            sources.append(
                Source(
                    row,
                    figure_id,
                    article_id,
                    copy_of_id,
                    outlet_id,
                    row.outlet,
                    origin_id,
                    row.origin,
                    row.normalised_value,
                    row.bound,
                    precision,
                    row.normalised_high,
                )
            )
        origins = figure_origins(sources)
        slugs = misattribution_slugs(ids)
        for values in chunk:
            pk = values[0]
            yield FigureRow(*values, slugs.get(pk, ()), claims.get(pk, []), origins.get(pk, FigureOrigins()))


def figure_json(figure, absolute):
    """A FigureRow as JSON, with its claims."""
    addresses = addresses_of(absolute)
    return {
        **figure_fields(figure, addresses),
        "claims": [figure_claim_json(row, addresses) for row in figure.claims],
    }


def figure_fields(figure, absolute):
    """A FigureRow's own fields as JSON."""
    operation = {"slug": figure.operation_slug, "name": figure.operation_name} if figure.operation_slug else None
    return {
        "slug": figure.slug,
        "title": figure.title,
        "status": figure.status,
        "measure": figure.measure,
        "subject": figure.subject,
        "organisation": figure.organisation,
        "operation": operation,
        "period_start": iso(figure.period_start) or None,
        "period_end": iso(figure.period_end) or None,
        "url": addresses_of(absolute).of("archive:figure_detail", figure.slug),
        "possible_misattributions": list(figure.misattributions),
        "outlet_count": figure.origins.outlet_count,
        "origin_count": figure.origins.origin_count,
        "origins": figure.origins.origins,
        "transmission_errors": [
            {"origin": error.origin, "claims": [claim.pk for claim in error.claims]}
            for error in figure.origins.transmission_errors
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


def claim_csv(row, addresses):
    """A ClaimRow as the cells of CLAIM_COLUMNS."""
    return [
        row.pk,
        row.figure_slug,
        safe_cell(row.figure_title),
        row.figure_status,
        plain(row.value),
        "" if row.value_high is None else plain(row.value_high),
        row.unit,
        row.bound,
        safe_cell(row.value_printed),
        plain(row.normalised_value),
        "" if row.normalised_high is None else plain(row.normalised_high),
        base_unit_of(row.unit),
        safe_cell(row.quote),
        safe_cell(row.speaker) if row.speaker else "",
        safe_cell(row.speaker_title),
        safe_cell(row.origin) if row.origin else "",
        safe_cell(row.origin_words),
        safe_cell(row.outlet),
        row.article_slug,
        safe_cell(row.article_title),
        row.article_url,
        row.published_on.isoformat() if row.published_on else "",
        iso(stated_date(row)),
        quote_url(row, addresses),
        " ".join(row.misattributions),
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


def figure_csv(figure, addresses):
    """A FigureRow as the cells of FIGURE_COLUMNS."""
    origins = figure.origins
    return [
        figure.slug,
        safe_cell(figure.title),
        figure.status,
        figure.measure,
        safe_cell(figure.subject),
        safe_cell(figure.organisation),
        figure.operation_slug or "",
        iso(figure.period_start),
        iso(figure.period_end),
        len(figure.claims),
        safe_cell("; ".join(f"{claim.outlet}: {claim_amount(claim)}" for claim in figure.claims)),
        " ".join(figure.misattributions),
        origins.outlet_count,
        origins.origin_count,
        safe_cell("; ".join(origins.origins)),
        safe_cell("; ".join(error.origin for error in origins.transmission_errors)),
        addresses.of("archive:figure_detail", figure.slug),
    ]


ARTICLE_COLUMNS = ["slug", "title", "outlet", "published_on", "byline", "language", "claim_count", "url", "archive_url"]


def article_fields(article, absolute):
    fields = article_json(article.slug, article.title, article.url, article.outlet.name, article.published_on, absolute)
    return {**fields, "byline": article.byline, "language": article.language}


class ArticleRow(NamedTuple):
    """What an article's row of the articles list's download says, read as plain values."""

    slug: str
    title: str
    url: str
    outlet: str
    published_on: object
    byline: str
    language: str
    claim_count: int

    @classmethod
    def of(cls, article):
        """An article loaded as a model, with its outlet and its `claim_count`."""
        return cls(
            article.slug,
            article.title,
            article.url,
            article.outlet.name,
            article.published_on,
            article.byline,
            article.language,
            article.claim_count,
        )


# The columns a query reads for each field of ArticleRow.
ARTICLE_VALUES = ["slug", "title", "url", "outlet__name", "published_on", "byline", "language", "claim_count"]


def article_values(articles):
    """Each article of `articles` as an ArticleRow: a queryset is read as plain values, a chunk
    at a time; a list holds articles loaded as models (a page of the list)."""
    if isinstance(articles, QuerySet):
        return (ArticleRow(*values) for values in articles.values_list(*ARTICLE_VALUES).iterator(chunk_size=CHUNK_SIZE))
    return (ArticleRow.of(article) for article in articles)


def article_row_json(article, absolute):
    """An ArticleRow as JSON: its fields and the number of its published claims."""
    fields = article_json(article.slug, article.title, article.url, article.outlet, article.published_on, absolute)
    return {**fields, "byline": article.byline, "language": article.language, "claim_count": article.claim_count}


def article_csv(article, addresses):
    """An ArticleRow as the cells of ARTICLE_COLUMNS."""
    return [
        article.slug,
        safe_cell(article.title),
        safe_cell(article.outlet),
        iso(article.published_on),
        safe_cell(article.byline),
        article.language,
        article.claim_count,
        article.url,
        addresses.of("archive:article_detail", article.slug),
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
        "url": addresses_of(absolute).of("archive:operation_detail", operation.slug),
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
        addresses_of(absolute).of("archive:operation_detail", operation.slug),
    ]


def rows_of(object_list):
    if hasattr(object_list, "iterator"):
        return object_list.iterator(chunk_size=MODELS_CHUNK_SIZE)
    return iter(object_list)


def chunks(object_list):
    """The rows of `object_list` in lists: a response sends a chunk at a time."""
    size = MODELS_CHUNK_SIZE if hasattr(object_list, "iterator") else CHUNK_SIZE
    rows = rows_of(object_list)
    while chunk := list(islice(rows, size)):
        yield chunk


def csv_response(filename, columns, make_row, object_list, absolute):
    addresses = addresses_of(absolute)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for chunk in chunks(object_list):
            writer.writerows(make_row(item, addresses) for item in chunk)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

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
    addresses = addresses_of(absolute)
    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps would build one per row

    def pieces():
        yield f"{opening}{json.dumps(key)}: ["
        separator = ""
        for chunk in chunks(object_list):
            yield separator + ",".join(encode(make_row(item, addresses)) for item in chunk)
            separator = ","
        yield "]}"

    response = StreamingHttpResponse(pieces(), content_type="application/json; charset=utf-8")
    response["Link"] = LICENCE_LINK
    return response
