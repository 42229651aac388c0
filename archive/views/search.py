"""One search across the archive: figures, claims, articles and operations at once."""

from django.shortcuts import render
from django.views.generic import TemplateView

from ..filters import ArticleFilter, ClaimFilter, FigureFilter, public_figures, search_operations
from .base import PublicView
from .pages import ArticleList, ClaimList, claims_side_by_side, public_figure_count

# The first rows of each kind; the "see all" link opens that kind's list with the same search.
SHOWN = 5
# Operations have no list to search, and are few: the search page shows them all, up to this.
SHOWN_OPERATIONS = 20


class Search(PublicView, TemplateView):
    template_name = "archive/search.html"

    def read_parameters(self):
        return ["q"]

    def groups(self, query):
        """(kind, its list's address, its count, its first rows) for each kind of row."""
        listed = [
            (
                "figures",
                "archive:figure_list",
                FigureFilter,
                public_figures().select_related("operation", "organisation").prefetch_related(claims_side_by_side()),
            ),
            ("claims", "archive:claim_list", ClaimFilter, ClaimList().rows()),
            ("articles", "archive:article_list", ArticleFilter, ArticleList().rows()),
        ]
        groups = []
        for kind, list_url, filterset_class, rows in listed:
            filterset = filterset_class({"q": query}, queryset=rows)
            filterset.is_valid()
            groups.append(
                {"kind": kind, "list_url": list_url, "count": filterset.count(), "rows": list(filterset.qs[:SHOWN])}
            )
        operations = search_operations(query)
        groups.append(
            {
                "kind": "operations",
                "list_url": None,
                "count": operations.count(),
                "rows": list(
                    operations.annotate(figure_count=public_figure_count())
                    .prefetch_related("aliases")
                    .order_by("-start_date", "name", "pk")[:SHOWN_OPERATIONS]
                ),
            }
        )
        return groups

    def get(self, request, *args, **kwargs):
        # The lists' own search field refuses what a database cannot read (a NUL character).
        form = FigureFilter(self.query).form
        if not form.is_valid():
            errors = [f"“q”: {' '.join(str(message) for message in form.errors.get('q', []))}"]
            context = {"errors": errors, "canonical_url": self.canonical_url(), "list_url": request.path}
            return render(request, "archive/bad_request.html", context, status=400)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.query.get("q", "").strip()
        context["query"] = query
        context["groups"] = self.groups(query) if query else []
        context["total"] = sum(group["count"] for group in context["groups"])
        return context
