"""The sitemap (Django's sitemaps framework): an index at /sitemap.xml of one sitemap per kind of
page, each with the date its page last changed where the records keep one, and robots.txt,
which points to it.

A page's date (`lastmod`): an article's last save; a figure's latest change to itself or to one
of its public claims; an operation's latest change to itself. A claim changed by a bulk update
without a save keeps its date; pages whose content follows the whole archive (the home page, the
lists) or many records (an outlet's claims) carry none."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, OuterRef, Subquery
from django.http import HttpResponse
from django.urls import path, reverse
from django.views import View

from .filters import public_articles, public_claims, public_figures
from .models import Figure, Operation
from .views.base import PublicView
from .views.outlets import published_outlets

# Addresses per sitemap page (the protocol allows 50,000): a page is drawn in a time that does not
# grow with the archive, and the index lists every page.
RECORDS_PER_PAGE = 1000


def latest_history_date(model):
    rows = model.history.filter(id=OuterRef("pk")).order_by("-history_date")
    return Subquery(rows.values("history_date")[:1])


def latest(*dates):
    return max((date for date in dates if date is not None), default=None)


class PageSitemap(Sitemap):
    """The pages that are not records: the home page, the lists and the methodology."""

    NAMES = ["home", "figure_list", "claim_list", "article_list", "operation_list", "outlet_list", "methodology"]

    def items(self):
        return self.NAMES

    def location(self, name):
        return reverse(f"archive:{name}")


class FigureSitemap(Sitemap):
    limit = RECORDS_PER_PAGE

    def items(self):
        claims = public_claims().filter(figure=OuterRef("pk")).order_by().values("figure")
        return (
            public_figures()
            .only("slug")
            .annotate(
                changed=latest_history_date(Figure),
                claims_changed=Subquery(claims.annotate(at=Max("updated_at")).values("at")),
            )
            .order_by("pk")
        )

    def lastmod(self, figure):
        return latest(figure.changed, figure.claims_changed)

    def get_latest_lastmod(self):
        # The section's date in two queries, not a pass over every figure.
        figures = Figure.history.filter(id__in=public_figures().values("pk")).aggregate(at=Max("history_date"))
        return latest(figures["at"], public_claims().aggregate(at=Max("updated_at"))["at"])


class ArticleSitemap(Sitemap):
    limit = RECORDS_PER_PAGE

    def items(self):
        return public_articles().only("slug", "updated_at").order_by("pk")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(at=Max("updated_at"))["at"]


class OperationSitemap(Sitemap):
    limit = RECORDS_PER_PAGE

    def items(self):
        return Operation.objects.only("slug").annotate(changed=latest_history_date(Operation)).order_by("pk")

    def lastmod(self, operation):
        return operation.changed

    def get_latest_lastmod(self):
        return Operation.history.aggregate(at=Max("history_date"))["at"]


class OutletSitemap(Sitemap):
    """Outlets with a published article; an outlet's page follows its claims, so it has no date."""

    limit = RECORDS_PER_PAGE

    def items(self):
        return published_outlets().only("slug").order_by("pk")


SITEMAPS = {
    "pages": PageSitemap,
    "figures": FigureSitemap,
    "articles": ArticleSitemap,
    "operations": OperationSitemap,
    "outlets": OutletSitemap,
}


class SitemapIndex(PublicView, View):
    def get(self, request):
        return sitemap_views.index(request, SITEMAPS, sitemap_url_name="archive:sitemap_section")


class SitemapSection(PublicView, View):
    def read_parameters(self):
        return ["p"]  # the sitemaps framework's page

    def get(self, request, section):
        return sitemap_views.sitemap(request, SITEMAPS, section=section)


def section_paths():
    """One address per section, each a pattern of its own without a parameter: /sitemap-figures.xml."""
    return [
        path(f"sitemap-{section}.xml", SitemapSection.as_view(), {"section": section}, name="sitemap_section")
        for section in SITEMAPS
    ]


class Robots(PublicView, View):
    def get(self, request):
        sitemap = request.build_absolute_uri(reverse("archive:sitemap"))
        lines = ["User-agent: *", f"Disallow: {reverse('admin:index')}", f"Sitemap: {sitemap}", ""]
        return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
