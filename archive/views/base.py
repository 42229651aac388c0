import functools
import hashlib
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.generic import ListView
from django.views.generic.list import MultipleObjectMixin

from ..filters import facets
from ..models import Change, DataVersion
from ..replicas import read_from_replica
from . import exports

# Entries of older versions are never read again; this only bounds how long they take space.
CACHE_SECONDS = 24 * 60 * 60


def cache_key(*parts):
    return "public:" + hashlib.sha256(repr((release(), *parts)).encode()).hexdigest()


def scope(record):
    """The change log's scope of a record's own page: `figure:12`."""
    return f"{record._meta.model_name}:{record.pk}"


DRAWN_BY = {".py", ".html", ".txt", ".svg", ".css", ".js", ".xml"}


@functools.cache
def release():
    """A digest of what draws the pages (the app's code, templates and static files), read once per
    process: a page cached, or validated by its ETag, before a deploy is not served after it. Every
    server of one release computes the same digest."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in DRAWN_BY and "migrations" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Page(NamedTuple):
    """A rendered page as the cache keeps it, with the data version it was computed at."""

    version: int
    changed_at: datetime | None
    scopes: list | None
    content_type: str
    content: bytes


class PublicView:
    """Read-only: every method but GET and HEAD gets 405.

    A page is cached under the data version, which every write raises: the next request after
    any change renders afresh. A page that names the scopes it shows (`scopes()`: a detail page)
    is cached across versions instead, and served while the change log (`Change`) records no
    write to its scopes since it was computed. Public pages show published data alone, the same
    to everyone, so one copy serves readers and signed-in editors. The page renders from the
    query parameters it reads alone, and is kept under those alone: any other parameter an
    address carries gets the same copy, and adds nothing to the cache."""

    http_method_names = ["get", "head"]
    scoped = False  # whether `scopes()` names what the page shows

    def scopes(self):
        """The change log's scopes of what the page shows, once it is rendered."""
        raise NotImplementedError

    @classmethod
    def as_view(cls, **initkwargs):
        # The data version and every query of the page from one server: a replica when there are any.
        return read_from_replica(super().as_view(**initkwargs))

    def read_parameters(self):
        """The names of the query parameters the page reads: a list's page, or none."""
        return [self.page_kwarg] if isinstance(self, MultipleObjectMixin) else []

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Sorted by name, each name's values in the order given, which is how a filter reads them.
        self.query = QueryDict(mutable=True)
        for name in sorted(set(self.read_parameters()) & request.GET.keys()):
            self.query.setlist(name, request.GET.getlist(name))

    def dispatch(self, request, *args, **kwargs):
        self.data_version, changed_at, log_from, self.epoch = DataVersion.state() or (None, None, None, None)
        if self.data_version is None or request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        address = (request.build_absolute_uri(request.path), list(self.query.lists()))
        key = cache_key("page", self.epoch, *address, *([] if self.scoped else [self.data_version]))
        page = cache.get(key)
        if page is not None and not self.current(page, log_from):
            page = None
        # What the page shows is a function of the version it was computed at and the parameters
        # it reads: so is its ETag.
        version = page.version if page else self.data_version
        if version < self.data_version:
            changed_at = page.changed_at
        etag = f'"{cache_key(key, version).removeprefix("public:")[:32]}"'
        last_modified = int(changed_at.timestamp()) if changed_at else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            if page is not None:
                response = HttpResponse(page.content, content_type=page.content_type)
            else:
                response = super().dispatch(request, *args, **kwargs)
                if response.status_code == 200 and not response.streaming:
                    if hasattr(response, "render"):
                        response.render()
                    scopes = self.scopes() if self.scoped else None
                    page = Page(version, changed_at, scopes, response["Content-Type"], response.content)
                    cache.set(key, page, CACHE_SECONDS)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
            # Readers' browsers keep a copy but ask again each time: a 304 costs one query.
            patch_cache_control(response, no_cache=True)
        return response

    def current(self, page, log_from):
        """Whether `page` shows the data as it is at this request's version: it was computed
        at it (or later, read from a database further on), or no write since changed its scopes.
        The log reaches back to `log_from` alone."""
        if page.version >= self.data_version:
            return True
        return page.version >= (log_from or 0) and not Change.any_between(page.scopes, page.version, self.data_version)

    def cached(self, name, compute, *parts):
        """`compute()`, kept under the data version and `parts`."""
        if self.data_version is None:
            return compute()
        return cache.get_or_set(cache_key(name, self.epoch, self.data_version, *parts), compute, CACHE_SECONDS)

    def canonical_url(self):
        return self.request.build_absolute_uri(self.request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = self.canonical_url()
        context["parameters"] = self.query
        if context.get("is_paginated"):
            page = context["page_obj"]
            context["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        return context

    def address_without(self, name, value=None):
        """This address without parameter `name` (or only its `value`), from its first page."""
        kept = self.query.copy()
        kept.pop(getattr(self, "page_kwarg", "page"), None)
        values = [other for other in kept.getlist(name) if value is not None and other != value]
        if values:
            kept.setlist(name, values)
        else:
            kept.pop(name, None)
        return f"{self.request.path}?{kept.urlencode()}" if kept else self.request.path


def readable_anywhere(response):
    """Read-only public data: any site may read it from a browser."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_as_data(request, status, message, parameters=()):
    """An error of a data address in its own format; the JSON names the `parameters` refused."""
    if request.path.endswith(".json"):
        body = {"status": status, "error": message}
        if parameters:
            body["parameters"] = list(parameters)
        return readable_anywhere(JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False}))
    return HttpResponse(f"{message}\n", content_type="text/plain; charset=utf-8", status=status)


class DetailExport:
    """A detail page's record and rows as CSV or JSON (`export = "csv"` or `"json"`), through
    `render_export(absolute)`, which each page defines with the list's row builders."""

    export = None

    def get(self, request, *args, **kwargs):
        if not self.export:
            return super().get(request, *args, **kwargs)
        self.object = self.get_object()
        return readable_anywhere(self.render_export(request.build_absolute_uri))


class MirroredPaginator(Paginator):
    """Reads a page past the middle of the list from its end, in reverse order, so the last
    page costs what the first does instead of skipping every row before it."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom <= self.count // 2 or not getattr(self.object_list, "ordered", False):
            return super().page(number)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        return self._get_page(rows[::-1], number, self)


class FilteredListView(PublicView, ListView):
    """A public list with filters, facet counts, sorting and pages, and its CSV and JSON
    exports (`export = "csv"` or `"json"`): the same filterset, ordering and, when a page
    is asked for, the same page of rows."""

    filterset_class = None
    paginator_class = MirroredPaginator
    export = None
    export_name = None
    csv_columns = None

    def rows(self):
        """The public rows with what a row shows joined or prefetched."""
        raise NotImplementedError

    def export_rows(self, rows):
        """The rows as the row builders read them."""
        return rows

    def csv_row(self, item, absolute):
        raise NotImplementedError

    def json_row(self, item, absolute):
        raise NotImplementedError

    def read_parameters(self):
        return [*self.filterset_class.base_filters, self.page_kwarg]

    def dispatch(self, request, *args, **kwargs):
        # A filter form sends every field; keep addresses short enough to share. Before the
        # cache, so an address answers the same whether the page it names is cached or not.
        empty = any(value == "" for _, values in request.GET.lists() for value in values)
        if empty and request.method in ("GET", "HEAD"):
            kept = [(key, value) for key, values in request.GET.lists() for value in values if value != ""]
            return redirect(f"{request.path}?{urlencode(kept)}" if kept else request.path)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.filterset = self.filterset_class(self.query, queryset=self.rows())
        if not self.filterset.is_valid():
            return self.bad_request()
        self.object_list = self.filterset.qs
        if self.export:
            return readable_anywhere(self.render_export())
        return self.render_to_response(self.get_context_data())

    def filters_key(self):
        """The filters alone: facets and counts are the same whatever the sort and page."""
        return [(key, values) for key, values in self.query.lists() if key not in ("sort", self.page_kwarg)]

    def count(self):
        """The number of rows the filters choose, whatever the page."""
        return self.cached("count", self.filterset.count, self.filterset_class.__name__, self.filters_key())

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = self.count()  # a cached_property: this sets its value
        return paginator

    def get_paginate_by(self, queryset):
        if self.export and self.page_kwarg not in self.query:
            return None
        return self.paginate_by

    def canonical_url(self):
        """The list itself for any filtered view; a later page of the whole list is its own page."""
        url = super().canonical_url()
        page = self.query.get(self.page_kwarg)
        if set(self.query) == {self.page_kwarg} and page != "1":
            return f"{url}?page={page}"
        return url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["facets"] = self.cached(
            "facets", lambda: facets(self.filterset), self.filterset_class.__name__, self.filters_key()
        )
        for facet in context["facets"]:
            for option in facet.options:
                option.url = self.address_choosing(facet.name, option.value, option.selected)
        context["export_name"] = self.export_name
        context["query"] = self.filterset.form.cleaned_data.get("q", "")
        context["active_filters"] = self.active_filters(context["facets"])
        context["sort"] = self.query.get("sort") or next(iter(self.filterset_class.base_filters["sort"].sorts))
        return context

    def active_filters(self, facets):
        """Each filter the address applies, as (label, value in words, the address without it)."""
        labels = {
            facet.name: (facet.label, {option.value: option.label for option in facet.options}) for facet in facets
        }
        chips = []
        for name, values in self.query.lists():
            if name in ("sort", self.page_kwarg):
                continue
            label, options = labels.get(name, ("Search" if name == "q" else name.capitalize(), {}))
            for value in values:
                chips.append(
                    {"label": label, "value": options.get(value, value), "url": self.address_without(name, value)}
                )
        return chips

    def address_choosing(self, name, value, selected):
        """This address filtered by `value` of `name` instead of any other, from its first page;
        without it when it is `selected` already."""
        if selected:
            return self.address_without(name, value)
        chosen = self.query.copy()
        chosen.pop(self.page_kwarg, None)
        chosen[name] = value
        return f"{self.request.path}?{chosen.urlencode()}"

    def bad_request(self):
        errors = [
            f"“{name}”: {' '.join(messages)}"
            for name, messages in self.filterset.errors.items()
            for messages in [[str(message) for message in messages]]
        ]
        if self.export == "json":
            return error_as_data(self.request, 400, " ".join(errors), parameters=self.filterset.errors.keys())
        if self.export:
            return render(
                self.request, "archive/bad_request.txt", {"errors": errors}, content_type="text/plain", status=400
            )
        return render(
            self.request,
            "archive/bad_request.html",
            {"errors": errors, "canonical_url": self.canonical_url(), "list_url": self.request.path},
            status=400,
        )

    def render_export(self):
        paginate_by = self.get_paginate_by(self.object_list)
        rows = self.object_list
        if paginate_by:
            rows = list(self.paginate_queryset(rows, paginate_by)[2])
        rows = self.export_rows(rows)
        absolute = self.request.build_absolute_uri
        if self.export == "csv":
            return exports.csv_response(f"{self.export_name}.csv", self.csv_columns, self.csv_row, rows, absolute)
        return exports.json_response(self.count(), self.json_row, rows, absolute, *self.neighbour_pages())

    def neighbour_pages(self):
        """The absolute addresses of the next and the previous page of an export asked for by
        page, or None: an export of all rows has no other page."""
        page = getattr(self, "export_page", None)
        if page is None:
            return None, None
        addresses = []
        for exists, number in ((page.has_next, page.number + 1), (page.has_previous, page.number - 1)):
            query = self.query.copy()
            query[self.page_kwarg] = str(number)
            addresses.append(
                self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}") if exists() else None
            )
        return addresses

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        self.export_page = page
        return paginator, page, rows, is_paginated
