"""The sitemap (Django's sitemaps framework): an index at /sitemap.xml of one sitemap per kind of
page, each with the date its page last changed where the records keep one, and robots.txt,
which points to it.

A page's date (`lastmod`): an article's last save; a figure's latest change to itself or to one
of its public claims; an operation's latest change to itself. A claim changed by a bulk update
without a save keeps its date; pages whose content follows the whole archive (the home page, the
lists) or many records (an outlet's claims) carry none."""

from datetime import datetime
from typing import NamedTuple

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import HttpResponse
from django.urls import path, reverse
from django.views import View

from .filters import public_articles, public_claims, public_figures
from .models import Figure, Operation
from .views.base import MirroredPaginator, PublicView
from .views.outlets import published_outlets

# Addresses per sitemap page (the protocol allows 50,000): a page is drawn in a time that does not
# grow with the archive, and the index lists every page.
RECORDS_PER_PAGE = 1000


def latest(*dates):
    return max((date for date in dates if date is not None), default=None)


class Address(NamedTuple):
    slug: str
    lastmod: datetime | None = None  # None when the page carries no date


class RecordPages(MirroredPaginator):
    """Pages of a kind of record's rows, each page given its addresses' dates by `dated`, which
    reads them for the page's own keys."""

    def __init__(self, rows, per_page, dated):
        super().__init__(rows, per_page)
        self.dated = dated

    def _get_page(self, rows, number, paginator):
        return super()._get_page(self.dated(list(rows)), number, paginator)


class RecordSitemap(Sitemap):
    """A kind of record with a page each, in the order of their keys: a page's rows are read as
    plain values, their dates with a grouped query over the page's keys, and a page past the middle
    from the end, so that no page skips more than half the list. `items()` gives the rows that
    `dated` turns into `Address`es: by default (slug) or (slug, date)."""

    limit = RECORDS_PER_PAGE
    view_name = None

    def __init__(self):
        # One reverse for a page of a thousand addresses: a slug needs no quoting.
        self.before_slug, self.after_slug = reverse(self.view_name, args=["slug"]).rsplit("slug", 1)

    @property
    def paginator(self):
        return RecordPages(self.items(), self.limit, self.dated)

    def dated(self, rows):
        return [Address(*row) for row in rows]

    def location(self, address):
        return f"{self.before_slug}{address.slug}{self.after_slug}"

    def lastmod(self, address):
        return address.lastmod

    def get_latest_lastmod(self):
        return None


def latest_history_dates(model, keys):
    """{key: the date of its latest history row} of these records of `model`."""
    rows = model.history.filter(id__in=keys).values("id").annotate(at=Max("history_date"))
    return dict(rows.values_list("id", "at"))


class PageSitemap(Sitemap):
    """The pages that are not records: the home page, the lists and the methodology."""

    NAMES = ["home", "figure_list", "claim_list", "article_list", "operation_list", "outlet_list", "methodology"]

    def items(self):
        return self.NAMES

    def location(self, name):
        return reverse(f"archive:{name}")


class FigureSitemap(RecordSitemap):
    view_name = "archive:figure_detail"

    def items(self):
        return public_figures().order_by("pk").values_list("pk", "slug")

    def dated(self, rows):
        keys = [pk for pk, _ in rows]
        changed = latest_history_dates(Figure, keys)
        claims = public_claims().filter(figure__in=keys).values("figure").annotate(at=Max("updated_at"))
        claims_changed = dict(claims.values_list("figure", "at"))
        return [Address(slug, latest(changed.get(pk), claims_changed.get(pk))) for pk, slug in rows]

    def get_latest_lastmod(self):
        # The section's date in two queries, not a pass over every figure.
        figures = Figure.history.filter(id__in=public_figures().values("pk")).aggregate(at=Max("history_date"))
        return latest(figures["at"], public_claims().aggregate(at=Max("updated_at"))["at"])


class ArticleSitemap(RecordSitemap):
    view_name = "archive:article_detail"

    def items(self):
        return public_articles().order_by("pk").values_list("slug", "updated_at")

    def get_latest_lastmod(self):
        return public_articles().aggregate(at=Max("updated_at"))["at"]


class OperationSitemap(RecordSitemap):
    view_name = "archive:operation_detail"

    def items(self):
        return Operation.objects.order_by("pk").values_list("pk", "slug")

    def dated(self, rows):
        changed = latest_history_dates(Operation, [pk for pk, _ in rows])
        return [Address(slug, changed.get(pk)) for pk, slug in rows]

    def get_latest_lastmod(self):
        return Operation.history.aggregate(at=Max("history_date"))["at"]


class OutletSitemap(RecordSitemap):
    """Outlets with a published article; an outlet's page follows its claims, so it has no date."""

    view_name = "archive:outlet_detail"

    def items(self):
        return published_outlets().order_by("pk").values_list("slug")


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
        return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name="archive/sitemap.xml")


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
