"""Each outlet's record: what it printed, and where the archive finds those numbers in question.

Facts, not a rating. A published claim of the outlet is counted:

- on a disputed figure: its figure's status is disputed;
- with a misattribution hint: its figure is linked to another published figure
  (`archive/derivation.py`);
- as rounding another source's value: another outlet's published claim of the same figure
  printed a value more precisely, and this claim's value is that value rounded to the precision
  this one was printed with: the other value lies within half a unit of this one's last
  significant digit (1,500 for 1,470; 4,585 t for 4,584.7 t). Ranges are not compared.
"""

from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from ..derivation import Misattribution
from ..filters import public_articles, public_claims
from ..models import Outlet
from ..vocabulary import FigureStatus
from .base import PublicView, scope


def rounded_sources():
    """Other outlets' published claims whose value the outer claim prints rounded, most precise first."""
    return (
        public_claims()
        .alias(outer_high=ExpressionWrapper(OuterRef("normalised_high"), output_field=DecimalField()))
        .filter(
            outer_high__isnull=True,
            figure=OuterRef("figure"),
            normalised_high__isnull=True,
            normalised_precision__lt=OuterRef("normalised_precision"),
            normalised_value__gte=OuterRef("normalised_value") - OuterRef("normalised_precision") / 2,
            normalised_value__lte=OuterRef("normalised_value") + OuterRef("normalised_precision") / 2,
        )
        .exclude(article__outlet=OuterRef("article__outlet"))
        .order_by("normalised_precision", "pk")
    )


def hinted_figures():
    return Misattribution.objects.filter(to_figure__source_count__gt=0).values("from_figure")


def hinted():
    return Exists(hinted_figures().filter(from_figure=OuterRef("figure")))


def record_counts(claims):
    """Aggregates over `claims`, the outlets' published claims the query counts. The claims that
    round another source, and the figures with a hint, are found once for all of them, each as one
    set the database hashes, not by a subquery for each claim counted."""
    rounding = claims.filter(Exists(rounded_sources())).values("pk")
    return {
        "disputed": Count("pk", filter=Q(figure__status=FigureStatus.DISPUTED)),
        "hinted": Count("pk", filter=Q(figure__in=hinted_figures())),
        "rounding": Count("pk", filter=Q(pk__in=rounding)),
        "claims": Count("pk"),
        "articles": Count("article", distinct=True),
    }


def published_outlets():
    return Outlet.objects.filter(Exists(public_articles().filter(outlet=OuterRef("pk"))))


class OutletList(PublicView, ListView):
    template_name = "archive/outlet_list.html"
    paginate_by = 50

    def get_queryset(self):
        return published_outlets().order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        outlets = context["object_list"]
        claims = public_claims().filter(article__outlet__in=[outlet.pk for outlet in outlets])
        rows = claims.values("article__outlet").annotate(**record_counts(claims)).order_by()
        counts = {row.pop("article__outlet"): row for row in rows}
        for outlet in outlets:
            outlet.record = counts.get(outlet.pk, {})
        return context


class OutletDetail(PublicView, ListView):
    """An outlet and its published claims, a page at a time, each marked as the record finds it."""

    template_name = "archive/outlet_detail.html"
    queryset = published_outlets()  # the outlets it shows; the rows listed are their claims
    paginate_by = 100
    context_object_name = "claims"
    scoped = True

    def scopes(self):
        return [scope(self.outlet), "rare"]

    def get_queryset(self):
        self.outlet = get_object_or_404(self.queryset, slug=self.kwargs["slug"])
        rounded = rounded_sources()
        return (
            public_claims()
            .filter(article__outlet=self.outlet)
            .select_related("article", "figure", "figure__operation")
            .defer("article__body", "article__provenance")
            .annotate(
                hinted=hinted(),
                rounds_outlet=Subquery(rounded.values("article__outlet__name")[:1]),
                rounds_printed=Subquery(rounded.values("value_printed")[:1]),
            )
            .order_by(F("article__published_on").desc(nulls_last=True), "article__title", "quote_start", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["outlet"] = self.outlet
        claims = public_claims().filter(article__outlet=self.outlet)
        context["record"] = claims.aggregate(**record_counts(claims))
        context["disputed_status"] = FigureStatus.DISPUTED
        return context
