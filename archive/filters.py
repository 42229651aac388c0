"""What the public may see, and the filters, sorts and facet counts of its lists.

Each list page and its CSV and JSON exports read their rows from the same
filterset, so the three always hold the same rows in the same order.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.contrib.postgres.lookups import SearchLookup
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Lookup,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Lower, Upper
from django.db.models.lookups import IRegex, Regex

from .models import STATUS_ORDER, Article, Claim, Figure, Operation, Organisation, Outlet, Person, status_rank
from .printed_numbers import find_numbers, is_date_part
from .vocabulary import (
    ABOUT_MARGIN,
    BOUND,
    INFINITY,
    UNIT_DIMENSION,
    UP_TO_LOW,
    Bound,
    Measure,
    to_base_unit,
)

PUBLIC_STATUS_CHOICES = [(status.value, status.label) for status in STATUS_ORDER]


def public_claims():
    return Claim.objects.published()


def public_figures():
    """Figures with at least one published claim in a published article: a source counted,
    with the status, whenever their claims or articles change."""
    return Figure.objects.filter(source_count__gt=0)


def public_articles():
    return Article.objects.published()


def misattributed(figure="pk"):
    """Whether the figure at `figure` carries a possible-misattribution hint."""
    return Exists(Figure.possible_misattributions.through.objects.filter(from_figure=OuterRef(figure)))


def misattributed_word(figure="pk"):
    return Case(When(misattributed(figure), then=Value("yes")), default=Value("no"))


class MisattributionFilter(django_filters.ChoiceFilter):
    """`misattributed=yes` (or `no`): the rows whose figure carries a possible-misattribution
    hint (or none)."""

    def __init__(self, figure="pk", **kwargs):
        self.figure = figure
        super().__init__(choices=[("yes", "yes"), ("no", "no")], label="Possible misattribution", **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(misattributed(self.figure) if value == "yes" else ~misattributed(self.figure))


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


# A searched word: ASCII letters alone, which the full-text parser reads as one word. Other
# scripts may run words together (Chinese has no spaces): they are matched as text.
WORD = re.compile(r"[A-Za-z]+")

# What `Words` makes a space: every character that is not a letter or digit, so that "ivory/rhino",
# "www.customs.gov.cn" and "anti-smuggling" are words to PostgreSQL's parser as they are to the
# regular expression, and every run of letters and digits that starts with a digit: no searched word
# starts one, and the parser would read "1e5kg" as a number and the word "kg".
NOT_WORDS = r"[^[:alnum:]]+|(?<![[:alnum:]])[0-9][[:alnum:]]*"


class Words(Func):
    """The words of `fields` for full-text search ("simple" configuration: no stemming, no stop
    words). Migration 0018's GIN indexes are on this very expression."""

    template = f"to_tsvector('simple'::regconfig, regexp_replace(%(expressions)s, '{NOT_WORDS}', ' ', 'g'))"
    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()

    def __init__(self, *fields):
        super().__init__(*(Coalesce(field, Value(""), output_field=TextField()) for field in fields))


def words_in(fields, term):
    """The rows with `term` in any of `fields`: a word (`WORD`) at the start of one of their
    words, where no letter or digit comes before it ("ivor" finds "Ivory", "ivory/rhino" and
    "China's ivory", "rhino" finds "ivory/rhino"; "vory" finds none of them), anything else (a
    number, punctuation) anywhere in the text.

    On PostgreSQL a word is a prefix query of full-text search over the fields' `Words`, which a
    GIN index on the same expression serves (migration 0018); elsewhere a regular expression finds
    the same words. Other terms match `icontains`, served by the trigram indexes (migration 0006)."""
    if not WORD.fullmatch(term):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        return condition
    if connection.vendor == "postgresql":
        query = SearchQuery(f"{term}:*", search_type="raw", config="simple")
        return Q(SearchLookup(Words(*fields), query))
    # The word, where no letter or digit comes before it. The regular expression runs in Python:
    # `icontains` first leaves it few rows to read, and starting with the word makes it fast.
    word = term.lower()
    condition = Q()
    for field in fields:
        starts_a_word = Regex(Lower(field), rf"{word}(?<![^\W_]{word})")
        condition |= Q(**{f"{field}__icontains": term}) & Q(starts_a_word)
    return condition


def searching(model, term, *fields):
    """The keys of the `model` rows with `term` in any of `fields` (`words_in`): a subquery of
    its own for each searched table, for `among`."""
    return model.objects.filter(words_in(fields, term)).order_by().values("pk")


class AmongKeys(Lookup):
    """`lhs` is one of the keys `rhs` gives: a list, sent as one parameter however long (an
    array on PostgreSQL, JSON on SQLite), or a subquery of keys.

    On PostgreSQL a subquery is read into an array first (`= ANY(ARRAY(...))`), which an index
    on `lhs` serves: an `OR` of these, one for each searched table, is an `OR` of index scans,
    where an `OR` of `IN (subquery)` reads every row of the list."""

    lookup_name = "among_keys"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, list):
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.rhs))
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, list):
            return f"{lhs} = ANY(%s::bigint[])", (*params, self.rhs)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*params, *rhs_params)


def among(field, keys):
    """The rows whose `field` is one of `keys` (`AmongKeys`)."""
    return Q(AmongKeys(F(field), keys))


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


# Searching by number: a search reads the numbers it prints as the archive reads an article's
# (`archive/printed_numbers.py`), so "4,585 tons" asks for 4,585 tonnes and "about 1,500" for
# anything from 1,350 to 1,650.
SEARCH_CHARS = 300  # read for numbers: a search is a few words
SEARCH_NUMBERS = 10
# What a claim's value can hold (`archive/models.py`): 18 digits before the point, 6 after.
LARGEST_VALUE = Decimal(10) ** 18
SMALLEST_STEP = Decimal("0.000001")
AMOUNT = DecimalField(max_digits=30, decimal_places=6)


@dataclass(frozen=True)
class SearchedNumber:
    """The amounts a typed number asks for: [low, high], `high` None when it has no end."""

    low: Decimal
    high: Decimal | None
    unit: str | None  # typed with a unit: amounts compared in its dimension's base unit
    exact: bool  # typed without a bound word: the claims that print it


def searched_numbers(value):
    """The numbers a search prints, years and dates aside, and its other words.

    A unit's word after a number is read as its unit ("4585 t", "4,585 tons"); a plain noun
    ("1,828 cases") is no unit here but one of the other words, which the claim must match as
    text, so "1,828 seizures" finds the 1,828 that is printed as seizures."""
    text = value[:SEARCH_CHARS]
    numbers, words, taken = [], [], 0
    for number in find_numbers(text):
        if is_date_part(text, number) or abs(number.high or number.value) >= LARGEST_VALUE:
            continue
        if number.value != number.value.quantize(SMALLEST_STEP) or len(numbers) == SEARCH_NUMBERS:
            continue
        unit = number.unit if number.unit and UNIT_DIMENSION[number.unit] != "count" else None
        words += text[taken : number.bound_start].split()
        taken = number.end + (len(number.unit_text) if unit else 0)
        low, high = number.value, number.high if number.high is not None else number.value
        exact = number.bound == Bound.EXACT
        if not exact:
            low, high = BOUND[number.bound].interval(low, high)
            low, high = (min(low, high), max(low, high)) if high != INFINITY else (low, None)
        if unit:
            low, high = to_base_unit(low, unit), None if high is None else to_base_unit(high, unit)
        numbers.append(SearchedNumber(low, high, unit, exact))
    return numbers, words + value[taken:].split()


def _amount(expression):
    return ExpressionWrapper(expression, output_field=AMOUNT)


# A claim's reading, as the status rule reads it (`archive/status.py`): its bound's interval
# around its value or range, as (low, high), high None when it has no end. Written once more
# here as SQL; a test checks each bound against `BOUND[...].interval`.
CLAIM_READING = {
    Bound.EXACT: lambda low, high: (low, high),
    Bound.ABOUT: lambda low, high: (low * Value(1 - ABOUT_MARGIN), high * Value(1 + ABOUT_MARGIN)),
    Bound.NEARLY: lambda low, high: (low * Value(1 - ABOUT_MARGIN), high),
    Bound.MORE_THAN: lambda low, high: (low, None),
    Bound.AT_LEAST: lambda low, high: (low, None),
    Bound.UP_TO: lambda low, high: (Least(low, Value(UP_TO_LOW)), high),
}


def claim_reading(value_field, high_field, printed=False):
    """(low, high) expressions of each claim's reading in these columns; `printed`: the
    values printed, whatever the bound. A negative value reads from its larger end down."""
    low, high = F(value_field), Coalesce(F(high_field), F(value_field))
    if printed:
        return _amount(low), _amount(high)
    lows, highs = [], []
    for bound, reading in CLAIM_READING.items():
        start, end = reading(low, high)
        if end is not None:
            start, end = Least(start, end), Greatest(start, end)
        lows.append(When(bound=bound, then=_amount(start)))
        highs.append(When(bound=bound, then=_amount(end) if end is not None else Value(None)))
    return Case(*lows, output_field=AMOUNT), Case(*highs, output_field=AMOUNT)


def _overlaps(low, high):
    """The claims whose aliased reading overlaps [low, high] (high None: no end)."""
    condition = Q(reading_high__gte=low) | Q(reading_high__isnull=True)
    return condition & Q(reading_low__lte=high) if high is not None else condition


def claims_with_number(number, claims):
    """The claims whose value a searched number asks for: those that print it when it is
    typed bare, those whose reading overlaps its own when typed with a bound word, in the
    base unit within the typed unit's dimension, else as printed. A decrease, stored
    negative, is printed as its size: "23%" finds "decreased by 23 percent"."""
    columns = ("normalised_value", "normalised_high") if number.unit else ("value", "value_high")
    low, high = claim_reading(*columns, printed=number.exact)
    claims = claims.alias(reading_low=low, reading_high=high)
    if number.unit:
        dimension = UNIT_DIMENSION[number.unit]
        claims = claims.filter(unit__in=[unit for unit, of in UNIT_DIMENSION.items() if of == dimension])
    condition = _overlaps(number.low, number.high)
    if number.high is not None and number.high > 0:
        condition |= _overlaps(-number.high, -number.low) & Q(reading_low__lt=0)
    return claims.filter(condition)


class PublicFilterSet(django_filters.FilterSet):
    """A public list's filters, with the count of the rows they choose and their facet counts."""

    # Facets counted over an expression rather than a field: name -> the expression's maker.
    facet_expressions = {}

    def __init__(self, *args, found=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The keys each search found, shared with the filtersets of the facets: a request
        # searches once, and its count, facets and page read the keys.
        self.found = {} if found is None else found

    def search(self, queryset, name, value):
        """The rows `matches(value)` chooses, found once: one query over the public rows."""
        if value not in self.found:
            rows = self.public().filter(self.matches(value)).order_by()
            self.found[value] = list(rows.values_list("pk", flat=True))
        keys = self.found[value]
        # Nothing found: the count, facets and rows need no query.
        return queryset.filter(among("pk", keys)) if keys else queryset.none()

    def count(self):
        rows = self.qs.order_by()  # filtering the rows runs the search, once
        chosen = [name for name, value in self.form.cleaned_data.items() if value and name != "sort"]
        found = self.found.get(self.form.cleaned_data.get("q"))
        if chosen == ["q"] and found is not None:
            # The list is the public rows, and the search found these among them.
            return len(found)
        return rows.count()

    def facet_counts(self, fields, count_through=None):
        """(value, label or None, count) of each value of `fields[0]` among the chosen rows."""
        return self.facets_counted([fields], count_through)[0]

    def facets_counted(self, facet_fields, count_through=None):
        """`facet_counts` of each facet's fields, all from one grouped query."""
        names = {field for fields in facet_fields for field in fields}
        rows = self.qs.order_by()
        rows = rows.annotate(**{name: make() for name, make in self.facet_expressions.items() if name in names})
        count = Count("pk")
        if count_through:
            # Outlets are reached through claims: count each figure once per outlet. Every
            # published claim's figure is public: unfiltered, the claims need no figure filter.
            filtered = any(value for name, value in self.form.cleaned_data.items() if name != "sort")
            rows = public_claims().filter(figure__in=rows.values("pk")) if filtered else public_claims()
            count = Count(count_through, distinct=True)
        return grouped_counts(rows, facet_fields, count)


class PerGroup(Subquery):
    """A subquery on the key its rows are grouped by, run once per group: left out of the
    GROUP BY, where Django would put it and run it for every row."""

    def get_group_by_cols(self):
        return []


def related_key(model, fields):
    """The key and model of the related record whose slug and name `fields` are ("outlet__slug",
    "outlet__name"), or (None, None)."""
    key = fields[0].removesuffix("__slug")
    if len(fields) != 2 or key == fields[0]:
        return None, None
    for name in key.split("__"):
        model = model._meta.get_field(name).related_model
    return key, model


def grouped_counts(rows, facet_fields, count):
    """For each facet's fields, (value, label or None, count) of each value of its first field
    among `rows`. A related record's slug and name (fields "outlet__slug", "outlet__name") are
    grouped by its key, with no join, and read once per group: grouping by the two names sorted
    every row by them (the outlet facet of the claims lists, 90,000 rows at 100,000 claims).

    Several facets are counted by one query: the rows, with each facet's key, are read once (a
    common table expression) and grouped by each key in turn, where a query per facet read and
    joined them again (grouping by all the keys together makes about a group per row). `count`
    adds up each row's weight: Count("pk") counts rows, Sum(field) adds the field; a distinct
    count is counted alone. The related records' slugs and names are read by their keys."""
    if len(facet_fields) == 1:
        return [counted_alone(rows, facet_fields[0], count)]
    if isinstance(count, Count):
        if count.distinct:
            raise ValueError("A distinct count does not add up over the facets' groups: count it alone.")
        weight = Value(1)
    else:
        weight = count.get_source_expressions()[0]
    related = [related_key(rows.model, fields) for fields in facet_fields]
    keys = [key or fields[0] for fields, (key, _) in zip(facet_fields, related, strict=True)]
    columns = {f"facet_{index}": F(key) for index, key in enumerate(keys)}
    totals = [{} for _ in facet_fields]
    try:
        keyed = rows.order_by().values(**columns, facet_weight=weight)
        sql, params = keyed.query.get_compiler(using=keyed.db).as_sql()
    except EmptyResultSet:  # no rows, and no query
        sql = None
    if sql is not None:
        # A column per facet, as the keys' types differ, the other facets' columns empty; a first
        # branch with no rows gives the columns their types.
        typed = f"SELECT -1, {', '.join(columns)}, 0 FROM facet_rows WHERE 1 = 0"
        grouped = " UNION ALL ".join(
            [typed]
            + [
                "SELECT {}, {}, SUM(facet_weight) FROM facet_rows GROUP BY {}".format(
                    index, ", ".join(name if name == column else "NULL" for name in columns), column
                )
                for index, column in enumerate(columns)
            ]
        )
        with connections[rows.db].cursor() as cursor:
            cursor.execute(f"WITH facet_rows AS ({sql}) {grouped}", params)
            for index, *values, number in cursor.fetchall():
                totals[index][values[index]] = number
    counted = []
    for fields, (key, model), total in zip(facet_fields, related, totals, strict=True):
        if key is None:
            counted.append([(value, None, number) for value, number in total.items()])
            continue
        names = [field.rsplit("__", 1)[1] for field in fields]
        chosen = model.objects.using(rows.db).filter(pk__in=[pk for pk in total if pk is not None]).order_by()
        labels = {pk: (slug, name) for pk, slug, name in chosen.values_list("pk", *names)}
        counted.append([(*labels.get(pk, (None, None)), number) for pk, number in total.items()])
    return counted


def counted_alone(rows, fields, count):
    key, model = related_key(rows.model, fields)
    if key is None:
        counts = rows.values(*fields).annotate(count=count)
        return [(row[fields[0]], row[fields[1]] if len(fields) > 1 else None, row["count"]) for row in counts]
    record = model.objects.filter(pk=OuterRef(key)).order_by()
    labels = {field: PerGroup(record.values(field.rsplit("__", 1)[1])) for field in fields}
    counts = rows.values(key).annotate(count=count, **labels)
    return [(row[fields[0]], row[fields[1]], row["count"]) for row in counts]


def words_or_numbers(text_search, value, claims_of):
    """A search of `value` over records whose published claims are their numbers: every word
    in the record's text (`text_search`), or each number `value` prints among the values of the
    claims whose `claims_of` column names the record, and the other words in its text."""
    numbers, words = searched_numbers(value)
    found = text_search(search_terms(value))
    if numbers:
        by_number = text_search(words[:10])
        for number in numbers:
            by_number &= Q(pk__in=claims_with_number(number, public_claims()).values(claims_of))
        found |= by_number
    return found


class FigureFilter(PublicFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    operation = django_filters.CharFilter(field_name="operation__slug")
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    measure = django_filters.ChoiceFilter(choices=Measure.choices)
    status = django_filters.ChoiceFilter(choices=PUBLIC_STATUS_CHOICES)
    outlet = django_filters.CharFilter(method="reported_by", label="Outlet")
    misattributed = MisattributionFilter()
    facet_expressions = {"misattributed": misattributed_word}
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

    def matches(self, value):
        """Every word in the figure's text, or each number among the values its published
        claims give (`searched_numbers`) and the other words in its text."""
        return words_or_numbers(self.text_search, value, "figure")

    @staticmethod
    def text_search(terms):
        found = Q()
        for term in terms:
            found &= (
                words_in(["title", "subject", "notes"], term)
                | among("organisation", searching(Organisation, term, "name", "short_name"))
                | among("operation", searching(Operation, term, "name", "aliases__name"))
            )
        return found

    def reported_by(self, queryset, name, value):
        return queryset.filter(Exists(public_claims().filter(figure=OuterRef("pk"), article__outlet__slug=value)))


# The claim list's filters that choose claims by their figure, and the figure's field each reads
# (and `misattributed`, which reads the figure's hints).
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
    misattributed = MisattributionFilter("figure")
    facet_expressions = {"misattributed": lambda: misattributed_word("figure")}
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
        hinted = chosen.pop("misattributed", None)
        if not chosen.keys() <= CLAIM_FILTERS_ON_FIGURES.keys():
            return None
        figures = public_figures().filter(**{CLAIM_FILTERS_ON_FIGURES[name]: value for name, value in chosen.items()})
        return FigureFilter.base_filters["misattributed"].filter(figures, hinted)

    def count(self):
        figures = self.figures_chosen()
        if figures is None:
            return super().count()
        return figures.aggregate(claims=Coalesce(Sum("published_claim_count"), 0))["claims"]

    def facets_counted(self, facet_fields, count_through=None):
        """The facets of the figures' fields, when the filters choose by figure alone, from
        the figures' stored counts; the others from the claims."""
        figures = self.figures_chosen()
        by_figure = FigureFilter.facet_expressions
        if figures is None:
            return super().facets_counted(facet_fields, count_through)
        ours = [all(field.startswith("figure__") or field in by_figure for field in fields) for fields in facet_fields]
        theirs = [fields for fields, own in zip(facet_fields, ours, strict=True) if not own]
        counted = iter(super().facets_counted(theirs, count_through) if theirs else [])
        names = {field for fields in facet_fields for field in fields}
        figures = figures.annotate(**{name: make() for name, make in by_figure.items() if name in names})
        on_figure = [[field.removeprefix("figure__") for field in fields] for fields in facet_fields]
        on_figure = [fields for fields, own in zip(on_figure, ours, strict=True) if own]
        from_figures = iter(grouped_counts(figures, on_figure, Sum("published_claim_count")) if on_figure else [])
        return [next(from_figures) if own else next(counted) for own in ours]

    def matches(self, value):
        """Every word in the claim's text, or any number it searches for among the claim's
        value (`searched_numbers`) and the other words in its text: a claim has one value."""
        numbers, words = searched_numbers(value)
        found = self.text_search(search_terms(value))
        if numbers:
            by_number = Q()
            for number in numbers:
                by_number |= Q(pk__in=claims_with_number(number, Claim.objects).values("pk"))
            found |= by_number & self.text_search(words[:10])
        return found

    @staticmethod
    def text_search(terms):
        found = Q()
        for term in terms:
            articles = among("pk", searching(Article, term, "title")) | among("outlet", searching(Outlet, term, "name"))
            found &= (
                words_in(["quote"], term)
                | among("figure", searching(Figure, term, "title"))
                | among("article", Article.objects.filter(articles).order_by().values("pk"))
                | among("speaker", searching(Person, term, "name"))
            )
        return found


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

    def matches(self, value):
        """Every word in the article's text, or each number among its published claims' values
        (`searched_numbers`) and the other words in its text."""
        return words_or_numbers(self.text_search, value, "article")

    @staticmethod
    def text_search(terms):
        found = Q()
        for term in terms:
            found &= words_in(["title", "body", "byline"], term)
        return found


def search_operations(value):
    """The operations with every word of `value` (`words_in`) in their name, a name sources give
    them or their focus."""
    return Operation.objects.filter(OperationFilter.text_search(search_terms(value)))


class OperationFilter(PublicFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    sort = SortFilter(
        {
            "newest": ("newest first", ["-start_date", "name", "pk"]),
            "name": ("name", ["name", "pk"]),
        }
    )

    class Meta:
        model = Operation
        fields = []

    @staticmethod
    def public():
        return Operation.objects.all()

    def search(self, queryset, name, value):
        return queryset.filter(self.text_search(search_terms(value)))

    @staticmethod
    def text_search(terms):
        found = Q()
        for term in terms:
            found &= Q(pk__in=searching(Operation, term, "name", "aliases__name", "focus"))
        return found


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    url: str = ""  # choosing the option, or removing it when selected: set by the list's view


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
        ("misattributed", "Possible misattribution", ("misattributed",), None),
    ],
    ClaimFilter: [
        ("operation", "Operation", ("figure__operation__slug", "figure__operation__name"), None),
        ("organisation", "Organisation", ("figure__organisation__slug", "figure__organisation__name"), None),
        ("measure", "Measure", ("figure__measure",), None),
        ("status", "Figure status", ("figure__status",), None),
        ("outlet", "Outlet", ("article__outlet__slug", "article__outlet__name"), None),
        ("misattributed", "Possible misattribution", ("misattributed",), None),
    ],
    ArticleFilter: [
        ("outlet", "Outlet", ("outlet__slug", "outlet__name"), None),
    ],
    OperationFilter: [],
}

FIXED_LABELS = {
    "measure": dict(Measure.choices),
    "status": dict(PUBLIC_STATUS_CHOICES),
    "misattributed": {"yes": "yes", "no": "no"},
}
STATUS_RANK = {status.value: rank for rank, status in enumerate(STATUS_ORDER)}


def facets(filterset):
    """Each facet of the list's filterset, with its options counted. The facets whose counts run
    over the same rows (the same filters once their own is left out) are counted together by one
    grouped query; a facet counting distinct records (`count_through`), alone."""
    data = filterset.data
    together = {}
    for name, _, fields, count_through in FACETS[type(filterset)]:
        others = data.copy()
        for key in (name, "sort", "page"):
            others.pop(key, None)
        rows = repr(sorted(others.lists() if hasattr(others, "lists") else others.items()))
        key = (rows, name) if count_through else (rows, None)
        together.setdefault(key, (others, count_through, {}))[2][name] = fields
    counted = {}
    for others, count_through, members in together.values():
        rest = type(filterset)(others, queryset=filterset.public(), found=filterset.found)
        rest.is_valid()
        counted.update(zip(members, rest.facets_counted(list(members.values()), count_through), strict=True))
    result = []
    for name, label, _, _ in FACETS[type(filterset)]:
        selected = data.get(name, "")
        options = []
        for value, text, count in counted[name]:
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
