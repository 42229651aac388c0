import re
from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest, Substr
from django.http import (
    HttpResponseBadRequest,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.shortcuts import get_object_or_404
from django.template import loader
from django.urls import Resolver404, resolve
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.list import MultipleObjectMixin

from ..claim_dates import is_interim, stated_date
from ..derivation import Misattribution
from ..filters import (
    STATUS_ORDER,
    ArticleFilter,
    ClaimFilter,
    FigureFilter,
    OperationFilter,
    misattributed,
    public_articles,
    public_claims,
    public_figures,
    status_rank,
)
from ..misattribution import Value as MisattributionValue
from ..misattribution import agreement
from ..models import Claim, Operation, Outlet, format_decimal
from ..origins import figure_origins
from ..parts import WORDS as PART_FLAG_WORDS
from ..parts import each_flag_once, flags_for
from ..status import Reading, figure_status
from ..vocabulary import (
    ABOUT_MARGIN,
    BASE_UNIT,
    BOUNDS,
    COMPARABLE_MEASURES,
    MEASURE_DIMENSION,
    UNITS,
    Dimension,
    FigureStatus,
    Measure,
    Status,
    to_base_unit,
)
from . import exports
from .base import DetailExport, FilteredListView, MirroredPaginator, PublicView, error_as_data, scope
from .chart import bar_chart
from .highlight import CONTEXT_CHARS, highlighted_paragraphs, quote_in_context
from .hints import each_pair_once, hints_by_figure, worded
from .history import value_events
from .linked_data import archived_article, figure_dataset
from .travels import travels
from .wording import BOUND_MEANING, amount, disagreements, display_unit, source_labels

HOME_FIGURES = 10
HOME_ARTICLES = 5
HOME_OPERATIONS = 12
HOME_HINTS = 10


def claims_side_by_side():
    """A figure's published claims for a list row: the outlet joined, the body left behind."""
    claims = (
        public_claims()
        .select_related("article__outlet", "speaker", "origin")
        .defer("article__body", "article__provenance")
        .order_by(*exports.CLAIMS_SIDE_BY_SIDE)
    )
    return Prefetch("claims", queryset=claims, to_attr="public_claims")


def public_misattributions(lookup="possible_misattributions"):
    return Prefetch(
        lookup,
        queryset=public_figures().only("slug", "title").order_by("title"),
        to_attr="public_misattributions",
    )


def figure_rows():
    """Public figures as a list row shows them, with their claims and misattribution hints."""
    return (
        public_figures()
        .select_related("operation", "organisation")
        .prefetch_related(claims_side_by_side(), public_misattributions())
    )


def claim_rows():
    """Published claims as a list row shows them, with their figures' misattribution hints."""
    return (
        public_claims()
        .select_related("article__outlet", "figure", "speaker", "origin")
        .defer("article__body")
        .prefetch_related(public_misattributions("figure__possible_misattributions"))
    )


def public_figure_count():
    figures = public_figures().filter(operation=OuterRef("pk")).order_by().values("operation")
    return Coalesce(Subquery(figures.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def published_claim_count():
    """Counted for the listed articles alone: a join grouped over every article would count
    the claims of the whole archive to show a page of them."""
    claims = Claim.objects.filter(article=OuterRef("pk"), status=Status.PUBLISHED).order_by().values("article")
    return Coalesce(Subquery(claims.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


class Home(PublicView, TemplateView):
    template_name = "archive/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = {
            "figures": public_figures().count(),
            "claims": public_figures().aggregate(claims=Coalesce(Sum("published_claim_count"), 0))["claims"],
            "articles": public_articles().count(),
            "outlets": Outlet.objects.filter(Exists(public_articles().filter(outlet=OuterRef("pk")))).count(),
        }
        context["disputed_count"] = public_figures().filter(status=FigureStatus.DISPUTED).count()
        context["operations"] = (
            Operation.objects.annotate(figure_count=public_figure_count())
            .prefetch_related("aliases")
            .order_by("-start_date", "name")[:HOME_OPERATIONS]
        )
        context["contested"] = (
            public_figures()
            .filter(status__in=[FigureStatus.DISPUTED, FigureStatus.MINOR])
            .select_related("operation")
            .prefetch_related(claims_side_by_side())
            .alias(rank=status_rank())
            .order_by("rank", "title", "pk")[:HOME_FIGURES]
        )
        context["misattribution_count"] = public_figures().filter(misattributed()).count()
        pairs = Misattribution.objects.filter(
            from_figure_id__lt=F("to_figure_id"), from_figure__source_count__gt=0, to_figure__source_count__gt=0
        )
        context["misattributions"] = worded(
            pairs.order_by(F("from_figure__operation__start_date").desc(nulls_last=True), "from_figure__title", "pk")[
                :HOME_HINTS
            ]
        )
        context["latest"] = (
            public_articles()
            .select_related("outlet")
            .defer("body", "provenance")
            .annotate(claim_count=published_claim_count())
            .order_by(F("published_on").desc(nulls_last=True), "title", "pk")[:HOME_ARTICLES]
        )
        return context


class FigureList(FilteredListView):
    template_name = "archive/figure_list.html"
    filterset_class = FigureFilter
    paginate_by = 25
    export_name = "figures"
    csv_columns = exports.FIGURE_COLUMNS

    def rows(self):
        return figure_rows()

    def export_rows(self, rows):
        return exports.figure_values(rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hints = hints_by_figure([figure.pk for figure in context["figure_list"]])
        for figure in context["figure_list"]:
            figure.hints = hints[figure.pk]
        return context

    def csv_row(self, figure, absolute):
        return exports.figure_csv(figure, absolute)

    def json_row(self, figure, absolute):
        return exports.figure_json(figure, absolute)


class ClaimList(FilteredListView):
    template_name = "archive/claim_list.html"
    filterset_class = ClaimFilter
    paginate_by = 50
    export_name = "claims"
    csv_columns = exports.CLAIM_COLUMNS

    def rows(self):
        return claim_rows()

    def export_rows(self, rows):
        return exports.claim_values(rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hints = hints_by_figure({claim.figure_id for claim in context["claim_list"]})
        for claim in context["claim_list"]:
            claim.hints = hints[claim.figure_id]
        return context

    def csv_row(self, claim, absolute):
        return exports.claim_csv(claim, absolute)

    def json_row(self, claim, absolute):
        return exports.claim_json(claim, absolute)


class ArticleList(FilteredListView):
    template_name = "archive/article_list.html"
    filterset_class = ArticleFilter
    paginate_by = 25
    export_name = "articles"
    csv_columns = exports.ARTICLE_COLUMNS

    def rows(self):
        return (
            public_articles()
            .select_related("outlet")
            .defer("body", "provenance")
            .annotate(claim_count=published_claim_count())
        )

    def export_rows(self, rows):
        return exports.article_values(rows)

    def csv_row(self, article, absolute):
        return exports.article_csv(article, absolute)

    def json_row(self, article, absolute):
        return exports.article_row_json(article, absolute)


class OperationList(FilteredListView):
    template_name = "archive/operation_list.html"
    filterset_class = OperationFilter
    paginate_by = 50
    export_name = "operations"
    csv_columns = exports.OPERATION_COLUMNS

    def rows(self):
        return Operation.objects.annotate(figure_count=public_figure_count()).prefetch_related(
            "aliases", "coordinators"
        )

    def csv_row(self, operation, absolute):
        return exports.operation_csv(operation, absolute)

    def json_row(self, operation, absolute):
        return exports.operation_json(operation, absolute)


class FigureDetail(DetailExport, PublicView, DetailView):
    template_name = "archive/figure_detail.html"
    queryset = public_figures().select_related("operation", "organisation")
    context_object_name = "figure"
    scoped = True

    def scopes(self):
        return [scope(self.object), "rare"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figure = self.object
        before_from = Greatest(F("quote_start") - CONTEXT_CHARS + 1, Value(1))
        claims = list(
            public_claims()
            .filter(figure=figure)
            .select_related("article__outlet", "speaker", "origin")
            .defer("article__body", "article__provenance")
            .annotate(
                before=Substr("article__body", before_from, F("quote_start") + 1 - before_from),
                passage=Substr("article__body", F("quote_start") + 1, F("quote_end") - F("quote_start")),
                after=Substr("article__body", F("quote_end") + 1, Value(CONTEXT_CHARS)),
            )
            .order_by(*exports.CLAIMS_SIDE_BY_SIDE)
        )
        labels = source_labels(claims)
        for claim in claims:
            claim.source = labels[claim.pk]
            claim.in_context = quote_in_context(claim, claim.before, claim.passage, claim.after)
            claim.bound_meaning = BOUND_MEANING[claim.bound]
            claim.figure = figure
            claim.stated, claim.interim = stated_date(claim), is_interim(claim)
        context["part_flags"] = flags_for([figure]).get(figure.pk, [])
        unit = display_unit(figure.measure, [claim.unit for claim in claims])
        context.update(
            claims=claims,
            disagreements=disagreements(claims),
            chart=bar_chart(claims, labels, unit),
            source_count=len({claim.article_id for claim in claims}),
            origins=figure_origins(claims).get(figure.pk),
            value_history=[(event, labels.get(event.claim_id, event.source)) for event in value_events(figure)],
            linked_data=figure_dataset(figure, claims, self.request.build_absolute_uri),
            hints=hints_by_figure([figure.pk])[figure.pk],
        )
        context["travels"] = travels(figure, [hint.other for hint in context["hints"]])
        return context

    def render_export(self, absolute):
        """The figure's claims, each as a row of the claims list; in JSON under the figure."""
        figure = self.object
        claims = claim_rows().filter(figure=figure).order_by(*exports.CLAIMS_SIDE_BY_SIDE)
        if self.export == "csv":
            return exports.csv_response(
                f"{figure.slug}.csv", exports.CLAIM_COLUMNS, exports.claim_csv, exports.claim_values(claims), absolute
            )
        prefetch_related_objects([figure], public_misattributions())
        # Its origins are read from the claims the export lists: no query more.
        figure.public_claims = list(claims)
        row = exports.FigureRow.of(figure)
        record = {**exports.figure_fields(row, absolute), "licence": exports.LICENCE}
        return exports.record_response(record, "claims", exports.figure_claim_json, row.claims, absolute)


class ArticleDetail(DetailExport, PublicView, DetailView):
    template_name = "archive/article_detail.html"
    queryset = public_articles().select_related("outlet", "copy_of__outlet").defer("copy_of__body")
    context_object_name = "article"
    scoped = True

    def scopes(self):
        return [scope(self.object), "rare"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claims = list(
            public_claims()
            .filter(article=self.object)
            .select_related("figure", "speaker", "origin")
            .order_by("quote_start", "pk")
        )
        hints = hints_by_figure({claim.figure_id for claim in claims})
        for claim in claims:
            claim.hints = hints[claim.figure_id]
            claim.article = self.object
            claim.stated, claim.interim = stated_date(claim), is_interim(claim)
        context["hints"] = each_pair_once(each for claim in claims for each in claim.hints)
        context["claims"] = claims
        context["paragraphs"] = highlighted_paragraphs(self.object.body, claims)
        context["linked_data"] = archived_article(self.object, self.request.build_absolute_uri)
        return context

    def render_export(self, absolute):
        """The article's published claims, each as a row of the claims list; in JSON under the article."""
        article = self.object
        claims = claim_rows().filter(article=article).order_by("quote_start", "pk")
        rows = exports.claim_values(claims)
        if self.export == "csv":
            return exports.csv_response(f"{article.slug}.csv", exports.CLAIM_COLUMNS, exports.claim_csv, rows, absolute)
        record = {**exports.article_fields(article, absolute), "licence": exports.LICENCE}
        return exports.record_response(record, "claims", exports.claim_json, rows, absolute)


def printed_whole(name):
    r"""A regular expression (for `iregex`) matching `name` printed as whole words, across line
    breaks. `\W`, not `\b`, marks the word edges: it means the same on SQLite (Python's re) and
    on PostgreSQL, where `\b` is a backspace."""
    words = r"\s+".join(re.escape(word) for word in name.split())
    return rf"(^|\W){words}(\W|$)"


def printing(name):
    """Whether an article prints `name` whole, in its title or its body."""
    return Q(title__iregex=printed_whole(name)) | Q(body__iregex=printed_whole(name))


def naming(names):
    """The published articles printing any of `names`, each with `uses_<i>` saying whether it
    prints the i-th. On PostgreSQL the trigram indexes of the titles and bodies (migration 0015)
    find them; SQLite reads every article."""
    uses = {
        f"uses_{index}": ExpressionWrapper(printing(name), output_field=BooleanField())
        for index, name in enumerate(names)
    }
    return (
        public_articles()
        .annotate(**uses)
        .filter(reduce(or_, (Q(**{name: True}) for name in uses)))
        .select_related("outlet")
        .defer("body", "provenance")
        .order_by(F("published_on").asc(nulls_last=True), "title", "pk")
    )


class OperationDetail(DetailExport, PublicView, ListView):
    """An operation, the names sources give it and which articles use them, and its figures a
    page at a time; the status counts and the links to the filtered lists cover them all."""

    template_name = "archive/operation_detail.html"
    queryset = Operation.objects.prefetch_related("aliases", "coordinators")
    paginate_by = 25  # as the figures list
    paginator_class = MirroredPaginator
    context_object_name = "figures"

    def get_object(self):
        return get_object_or_404(self.queryset, slug=self.kwargs["slug"])

    def get_queryset(self):
        self.object = self.get_object()
        figures = public_figures().filter(operation=self.object)
        # Every one of its figures counted by status, and their claims, in one grouped query.
        counts = figures.values("status").annotate(figures=Count("pk"), claims=Sum("published_claim_count"))
        counted = {row["status"]: row for row in counts.order_by()}
        self.by_status = [
            {"status": status, "label": status.label, **counted[status]} for status in STATUS_ORDER if status in counted
        ]
        return (
            figures.select_related("organisation")
            .prefetch_related(claims_side_by_side())
            .order_by("measure", "title", "pk")
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = sum(row["figures"] for row in self.by_status)  # a cached_property: this sets its value
        return paginator

    def canonical_url(self):
        """A later page of the figures is its own page."""
        url = super().canonical_url()
        page = self.query.get(self.page_kwarg)
        return f"{url}?page={page}" if page and page != "1" else url

    scoped = True

    def scopes(self):
        # It lists the articles that name it, which any article may come to do.
        return [scope(self.object), "operations", "rare"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        operation = context["operation"] = self.object
        context["by_status"] = self.by_status
        context["figure_count"] = sum(row["figures"] for row in self.by_status)
        context["claim_count"] = sum(row["claims"] for row in self.by_status)
        names = [(operation.name, "the archive's name for it")] + [
            (alias.name, alias.note) for alias in operation.aliases.all()
        ]
        articles = list(naming([name for name, _ in names]))
        context["names"] = [
            {"name": name, "note": note, "articles": [a for a in articles if getattr(a, f"uses_{index}")]}
            for index, (name, note) in enumerate(names)
        ]
        context["articles"] = articles
        figures = context["figures"]
        hints = hints_by_figure([figure.pk for figure in figures])
        context["hints"] = each_pair_once(each for figure in figures for each in hints[figure.pk])
        context["part_flags"] = each_flag_once(flags_for(figures))
        return context

    def render_export(self, absolute):
        """The operation's public figures, each as a row of the figures list; in JSON under the operation."""
        operation = self.object
        figures = exports.figure_values(figure_rows().filter(operation=operation).order_by("measure", "title", "pk"))
        if self.export == "csv":
            return exports.csv_response(
                f"{operation.slug}.csv", exports.FIGURE_COLUMNS, exports.figure_csv, figures, absolute
            )
        record = {**exports.operation_fields(operation, absolute), "licence": exports.LICENCE}
        return exports.record_response(record, "figures", exports.figure_json, figures, absolute)


# The status rule at work on pairs of values, computed by the rule itself so that the methodology
# page cannot tell another story: (value, unit, bound, printed precision) for each source.
STATUS_EXAMPLES = (
    (("1500", "t", "about", "100"), ("1600", "t", "exact", "100")),
    (("1000", "count", "more_than", "1000"), ("1200", "count", "exact", "100")),
    (("1237", "t", "exact", "1"), ("1238", "t", "exact", "1")),
    (("1500", "t", "about", "100"), ("4585", "t", "exact", "1")),
)


def status_examples():
    examples = []
    for pair in STATUS_EXAMPLES:
        readings = [
            Reading(index, to_base_unit(Decimal(value), unit), bound, to_base_unit(Decimal(precision), unit))
            for index, (value, unit, bound, precision) in enumerate(pair)
        ]
        amounts = [amount(Decimal(value), unit, bound, words=True) for value, unit, bound, _ in pair]
        examples.append({"amounts": amounts, "status": FigureStatus(figure_status(readings))})
    return examples


# The misattribution rule at work on pairs of printed values: (value, unit, printed precision).
MISATTRIBUTION_EXAMPLES = (
    (("1828", "count", "1"), ("1828", "count", "1")),
    (("4585", "t", "1"), ("4584.7", "t", "0.1")),
    (("4585", "t", "1"), ("4595", "t", "1")),
)


def misattribution_examples():
    examples = []
    for pair in MISATTRIBUTION_EXAMPLES:
        one, other = (
            MisattributionValue(to_base_unit(Decimal(value), unit), None, to_base_unit(Decimal(precision), unit))
            for value, unit, precision in pair
        )
        amounts = [amount(Decimal(value), unit, words=True) for value, unit, _ in pair]
        examples.append({"amounts": amounts, "rule": agreement(one, other)})
    return examples


class Methodology(PublicView, TemplateView):
    """Every rule the archive applies, with its thresholds read from the code that applies them."""

    template_name = "archive/methodology.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            bounds=BOUNDS,
            units=[
                {
                    "name": term.label,
                    "dimension": Dimension(term.dimension).label,
                    "factor": format_decimal(term.factor),
                    "base": BASE_UNIT[term.dimension].label,
                    "printed": term.printed,
                }
                for term in UNITS
            ],
            measures=[(measure.label, Dimension(MEASURE_DIMENSION[measure]).label) for measure in Measure],
            about_margin=format_decimal(ABOUT_MARGIN * 100),
            statuses={status.value: status.label for status in FigureStatus},
            examples=status_examples(),
            comparable_measures=[
                " and ".join(measure.label for measure in Measure if measure in group) for group in COMPARABLE_MEASURES
            ],
            misattribution_examples=misattribution_examples(),
            licence=exports.LICENCE,
            contact=getattr(settings, "ARCHIVE_CONTACT_EMAIL", ""),
        )
        context["part_flag_words"] = PART_FLAG_WORDS
        return context


# Error pages. Django calls these (config/urls.py names them) when DEBUG is off. Each page of
# data answers in its own format; a list's missing page links back to the list's first page.
DATA_SUFFIXES = (".json", ".csv")


def list_page_error(request):
    """For an address of a list with a `page` it has no page for: whether the page is malformed
    (not a number) and the address of the list's first page, with the same filters."""
    if "page" not in request.GET:
        return None
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is None or not issubclass(view_class, MultipleObjectMixin):
        return None
    parameters = request.GET.copy()
    page = parameters.pop("page")[-1]
    malformed = not page.isdigit() and page != "last"
    first_page = f"{request.path}?{parameters.urlencode()}" if parameters else request.path
    return malformed, first_page


def page_not_found(request, exception):
    page_error = list_page_error(request)
    malformed = bool(page_error and page_error[0])
    status = 400 if malformed else 404
    if request.path.endswith(DATA_SUFFIXES):
        if page_error:
            message = "“page” must be a page number." if malformed else "There is no page of rows with this number."
        else:
            message = "Nothing is published at this address."
        return error_as_data(request, status, message, parameters=["page"] if page_error else ())
    context = {"first_page": page_error[1] if page_error else None, "malformed_page": malformed}
    if malformed:
        return branded(HttpResponseBadRequest, "400.html", context, text="Bad Request")
    return branded(HttpResponseNotFound, "404.html", context, request, text="Not Found")


def branded(response_class, template, context=None, request=None, text=""):
    """The branded error page, or `text` alone when even it cannot be drawn (say its static
    files' manifest is missing): an error page must not fail in turn."""
    try:
        return response_class(loader.render_to_string(template, context, request))
    except Exception:
        return response_class(text, content_type="text/plain; charset=utf-8")


def bad_request(request, exception):
    """Rendered without the request: a request refused for its host name cannot build an address."""
    if request.path.endswith(DATA_SUFFIXES):
        return error_as_data(request, 400, "The request could not be answered.")
    return branded(HttpResponseBadRequest, "400.html", text="Bad Request")


SERVER_ERROR_TEXT = "The archive could not answer this request. Please try again in a few minutes."


def server_error(request):
    """Rendered without the request or the database, either of which may be what failed; and if
    even the template fails, a line of text rather than nothing."""
    if request.path.endswith(DATA_SUFFIXES):
        return error_as_data(request, 500, SERVER_ERROR_TEXT)
    return branded(HttpResponseServerError, "500.html", text=SERVER_ERROR_TEXT)
