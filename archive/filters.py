"""What the public may see, and the filters, sorts and facet counts of its lists.

Each list page and its CSV and JSON exports read their rows from the same
filterset, so the three always hold the same rows in the same order.
"""

import re
from dataclasses import dataclass

import django_filters
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Upper
from django.db.models.lookups import IRegex

from .models import Article, Claim, Figure, Operation, Organisation, Outlet, Person
from .vocabulary import FigureStatus, Measure

# Most contested first: the order of the home page and of the figures list by status.
STATUS_ORDER = [FigureStatus.DISPUTED, FigureStatus.MINOR, FigureStatus.CONSISTENT, FigureStatus.SINGLE]
PUBLIC_STATUS_CHOICES = [(status.value, status.label) for status in STATUS_ORDER]


def public_claims():
    return Claim.objects.published()


def public_figures():
    """Figures with at least one published claim in a published article: a source counted,
    with the status, whenever their claims or articles change."""
    return Figure.objects.filter(source_count__gt=0)


def public_articles():
    return Article.objects.published()


def status_rank():
    return Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )


class SortFilter(django_filters.ChoiceFilter):
    """`sort=<name>` orders by the fields listed for that name, the first name when absent.
    Every ordering ends with the primary key so pages never overlap."""

    def __init__(self, sorts, aliases=None, **kwargs):
        self.sorts = sorts
        self.aliases = aliases or {}
        choices = [(name, label) for name, (label, _) in sorts.items()]
        super().__init__(choices=choices, label="Sort by", empty_label=None, **kwargs)

    def filter(self, qs, value):
        fields = self.sorts[value or next(iter(self.sorts))][1]
        needed = {name: make() for name, make in self.aliases.items() if any(f.lstrip("-") == name for f in fields)}
        return qs.alias(**needed).order_by(*fields)


def search_terms(value):
    return value.split()[:10]


def matching(model, term, *fields):
    """The keys of the `model` rows with `term` in any of `fields`. Each searched table gets
    its own subquery, which a trigram index serves on PostgreSQL (migration 0006): an OR of
    `icontains` across joined tables reads every row of the list."""
    condition = Q()
    for field in fields:
        if model is Claim and field == "value_printed":
            condition |= printed_in_quote(term)
        else:
            condition |= Q(**{f"{field}__icontains": term})
    return model.objects.filter(condition).values("pk")


# What `str.split()` splits on: a quote and the body it is found in may differ by any of these.
WHITESPACE = "".join(character for character in map(chr, range(0x3001)) if character.isspace())
WHITESPACE_RUN = f"[{WHITESPACE}]+"


def printed_in_quote(term):
    """The claims whose printed value may hold `term`, found through their quotes, which the
    quote's trigram index serves (value_printed has none since migration 0007).

    A printed value is a passage of the body inside the quote's span, and the quote is that
    span's words with any whitespace between them (`archive/locating.py`). So a term without
    whitespace that the printed value holds is in the quote; a term with whitespace is in the
    quote once each of its whitespace runs may be any run of whitespace, which a regular
    expression on the indexed UPPER(quote) finds. Either finds every claim a search of the
    printed values found, and the claims whose quote holds the term otherwise."""
    if term.split() == [term]:
        return Q(quote__icontains=term)
    words = [re.escape(word) for word in term.split()]
    before = WHITESPACE_RUN if term[:1].isspace() else ""
    after = WHITESPACE_RUN if term[-1:].isspace() and words else ""
    return Q(IRegex(Upper("quote"), before + WHITESPACE_RUN.join(words) + after))


class PublicFilterSet(django_filters.FilterSet):
    """A public list's filters, with the count of the rows they choose and their facet counts."""

    def count(self):
        return self.qs.order_by().count()

    def facet_counts(self, fields, count_through=None):
        """(value, label or None, count) of each value of `fields[0]` among the chosen rows."""
        rows = self.qs.order_by()
        if count_through:
            # Outlets are reached through claims: count each figure once per outlet. Every
            # published claim's figure is public: unfiltered, the claims need no figure filter.
            filtered = any(value for name, value in self.form.cleaned_data.items() if name != "sort")
            rows = public_claims().filter(figure__in=rows.values("pk")) if filtered else public_claims()
            counts = rows.values(*fields).annotate(count=Count(count_through, distinct=True))
        else:
            counts = rows.values(*fields).annotate(count=Count("pk"))
        return [(row[fields[0]], row[fields[1]] if len(fields) > 1 else None, row["count"]) for row in counts]


class FigureFilter(PublicFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    operation = django_filters.CharFilter(field_name="operation__slug")
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    measure = django_filters.ChoiceFilter(choices=Measure.choices)
    status = django_filters.ChoiceFilter(choices=PUBLIC_STATUS_CHOICES)
    outlet = django_filters.CharFilter(method="reported_by", label="Outlet")
    sort = SortFilter(
        {
            "status": ("most disputed first", ["status_rank", "title", "pk"]),
            "title": ("title", ["title", "pk"]),
            "operation": ("operation", ["operation__name", "title", "pk"]),
            "sources": ("most sources first", ["-source_count", "title", "pk"]),
        },
        aliases={"status_rank": status_rank},
    )

    class Meta:
        model = Figure
        fields = []

    @staticmethod
    def public():
        return public_figures()

    def search(self, queryset, name, value):
        for term in search_terms(value):
            queryset = queryset.filter(
                Q(pk__in=matching(Figure, term, "title", "subject", "notes"))
                | Q(organisation__in=matching(Organisation, term, "name", "short_name"))
                | Q(operation__in=matching(Operation, term, "name", "aliases__name"))
            )
        return queryset

    def reported_by(self, queryset, name, value):
        return queryset.filter(Exists(public_claims().filter(figure=OuterRef("pk"), article__outlet__slug=value)))


# The claim list's filters that choose claims by their figure, and the figure's field each reads.
CLAIM_FILTERS_ON_FIGURES = {
    "figure": "slug",
    "operation": "operation__slug",
    "organisation": "organisation__slug",
    "measure": "measure",
    "status": "status",
}


class ClaimFilter(PublicFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    figure = django_filters.CharFilter(field_name="figure__slug")
    article = django_filters.CharFilter(field_name="article__slug")
    operation = django_filters.CharFilter(field_name="figure__operation__slug")
    organisation = django_filters.CharFilter(field_name="figure__organisation__slug")
    measure = django_filters.ChoiceFilter(field_name="figure__measure", choices=Measure.choices)
    status = django_filters.ChoiceFilter(field_name="figure__status", choices=PUBLIC_STATUS_CHOICES)
    outlet = django_filters.CharFilter(field_name="article__outlet__slug")
    sort = SortFilter(
        {
            "figure": ("figure", ["figure__title", "-normalised_value", "pk"]),
            "newest": ("newest article first", ["-article__published_on", "article__title", "quote_start", "pk"]),
            "oldest": ("oldest article first", ["article__published_on", "article__title", "quote_start", "pk"]),
            "outlet": ("outlet", ["article__outlet__name", "-article__published_on", "quote_start", "pk"]),
            "value": ("largest value first", ["-normalised_value", "figure__title", "pk"]),
        }
    )

    class Meta:
        model = Claim
        fields = []

    @staticmethod
    def public():
        return public_claims()

    def figures_chosen(self):
        """The public figures whose published claims these filters choose, when they choose by
        figure alone; else None. Their claims are then counted from each figure's stored count
        of published claims instead of one by one."""
        chosen = {name: value for name, value in self.form.cleaned_data.items() if value and name != "sort"}
        if not chosen.keys() <= CLAIM_FILTERS_ON_FIGURES.keys():
            return None
        return public_figures().filter(**{CLAIM_FILTERS_ON_FIGURES[name]: value for name, value in chosen.items()})

    def count(self):
        figures = self.figures_chosen()
        if figures is None:
            return super().count()
        return figures.aggregate(claims=Coalesce(Sum("published_claim_count"), 0))["claims"]

    def facet_counts(self, fields, count_through=None):
        figures = self.figures_chosen()
        if figures is None or not all(field.startswith("figure__") for field in fields):
            return super().facet_counts(fields, count_through)
        on_figure = [field.removeprefix("figure__") for field in fields]
        counts = figures.values(*on_figure).annotate(count=Sum("published_claim_count"))
        return [(row[on_figure[0]], row[on_figure[1]] if len(fields) > 1 else None, row["count"]) for row in counts]

    def search(self, queryset, name, value):
        for term in search_terms(value):
            articles = Article.objects.filter(Q(title__icontains=term) | Q(outlet__in=matching(Outlet, term, "name")))
            queryset = queryset.filter(
                Q(pk__in=matching(Claim, term, "quote"))
                | Q(figure__in=matching(Figure, term, "title"))
                | Q(article__in=articles.values("pk"))
                | Q(speaker__in=matching(Person, term, "name"))
            )
        return queryset


class ArticleFilter(PublicFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    outlet = django_filters.CharFilter(field_name="outlet__slug")
    sort = SortFilter(
        {
            "newest": ("newest first", ["-published_on", "title", "pk"]),
            "oldest": ("oldest first", ["published_on", "title", "pk"]),
            "title": ("title", ["title", "pk"]),
        }
    )

    class Meta:
        model = Article
        fields = []

    @staticmethod
    def public():
        return public_articles()

    def search(self, queryset, name, value):
        for term in search_terms(value):
            queryset = queryset.filter(Q(title__icontains=term) | Q(body__icontains=term) | Q(byline__icontains=term))
        return queryset


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list


# For each list, its facets: (parameter, label, the values and labels to count, what to count).
# The count runs over the list's rows filtered by every parameter but the facet's own, so each
# option's count is the number of rows choosing it would show.
FACETS = {
    FigureFilter: [
        ("operation", "Operation", ("operation__slug", "operation__name"), None),
        ("organisation", "Organisation", ("organisation__slug", "organisation__name"), None),
        ("measure", "Measure", ("measure",), None),
        ("status", "Status", ("status",), None),
        ("outlet", "Outlet", ("article__outlet__slug", "article__outlet__name"), "figure"),
    ],
    ClaimFilter: [
        ("operation", "Operation", ("figure__operation__slug", "figure__operation__name"), None),
        ("organisation", "Organisation", ("figure__organisation__slug", "figure__organisation__name"), None),
        ("measure", "Measure", ("figure__measure",), None),
        ("status", "Figure status", ("figure__status",), None),
        ("outlet", "Outlet", ("article__outlet__slug", "article__outlet__name"), None),
    ],
    ArticleFilter: [
        ("outlet", "Outlet", ("outlet__slug", "outlet__name"), None),
    ],
}

FIXED_LABELS = {"measure": dict(Measure.choices), "status": dict(PUBLIC_STATUS_CHOICES)}
STATUS_RANK = {status.value: rank for rank, status in enumerate(STATUS_ORDER)}


def facets(filterset):
    """One aggregate query per facet."""
    data = filterset.data
    result = []
    for name, label, fields, count_through in FACETS[type(filterset)]:
        others = data.copy()
        for key in (name, "sort", "page"):
            others.pop(key, None)
        rest = type(filterset)(others, queryset=filterset.public())
        rest.is_valid()
        selected = data.get(name, "")
        options = []
        for value, text, count in rest.facet_counts(fields, count_through):
            if value is None:
                continue
            if text is None:
                text = FIXED_LABELS[name].get(value, value)
            options.append(Option(value, text, count, value == selected))
        if name == "status":
            options.sort(key=lambda option: STATUS_RANK.get(option.value, len(STATUS_RANK)))
        else:
            options.sort(key=lambda option: option.label.lower())
        if selected and not any(option.selected for option in options):
            options.append(Option(selected, FIXED_LABELS.get(name, {}).get(selected, selected), 0, True))
        result.append(Facet(name, label, options))
    return result
