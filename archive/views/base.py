from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.views.generic import ListView

from ..filters import facets
from . import exports


class PublicView:
    """Read-only: every method but GET and HEAD gets 405."""

    http_method_names = ["get", "head"]

    def canonical_url(self):
        return self.request.build_absolute_uri(self.request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = self.canonical_url()
        return context


class FilteredListView(PublicView, ListView):
    """A public list with filters, facet counts, sorting and pages, and its CSV and JSON
    exports (`export = "csv"` or `"json"`): the same filterset, ordering and, when a page
    is asked for, the same page of rows."""

    filterset_class = None
    export = None
    export_name = None
    csv_columns = None

    def rows(self):
        """The public rows with what a row shows joined or prefetched."""
        raise NotImplementedError

    def csv_row(self, item, absolute):
        raise NotImplementedError

    def json_row(self, item, absolute):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        if any(value == "" for _, values in request.GET.lists() for value in values):
            # A filter form sends every field; keep addresses short enough to share.
            kept = [(key, value) for key, values in request.GET.lists() for value in values if value != ""]
            return redirect(f"{request.path}?{urlencode(kept)}" if kept else request.path)
        self.filterset = self.filterset_class(request.GET, queryset=self.rows())
        if not self.filterset.is_valid():
            return self.bad_request()
        self.object_list = self.filterset.qs
        if self.export:
            return self.render_export()
        return self.render_to_response(self.get_context_data())

    def get_paginate_by(self, queryset):
        if self.export and "page" not in self.request.GET:
            return None
        return self.paginate_by

    def canonical_url(self):
        """The list itself for any filtered view; a later page of the whole list is its own page."""
        url = super().canonical_url()
        page = self.request.GET.get("page")
        if set(self.request.GET) == {"page"} and page != "1":
            return f"{url}?page={page}"
        return url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["facets"] = facets(self.filterset)
        context["export_name"] = self.export_name
        context["query"] = self.filterset.form.cleaned_data.get("q", "")
        return context

    def bad_request(self):
        errors = [
            f"“{name}”: {' '.join(messages)}"
            for name, messages in self.filterset.errors.items()
            for messages in [[str(message) for message in messages]]
        ]
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
        absolute = self.request.build_absolute_uri
        if self.export == "csv":
            return exports.csv_response(f"{self.export_name}.csv", self.csv_columns, self.csv_row, rows, absolute)
        count = len(rows) if paginate_by else rows.count()
        return exports.json_response(count, self.json_row, rows, absolute)
