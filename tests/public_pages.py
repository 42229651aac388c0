"""The public pages of the seed data that the browser tests visit, in one list: every list with and
without filters, every detail page, a search with results and the error pages.

tests/test_public_page_list.py checks that every address of the URL configuration answering HTML
is in this list, so a new page is visited by the width and accessibility tests without asking.
"""

from archive.models import Article, Figure, Operation

LISTS = ["/", "/figures/", "/claims/", "/articles/", "/operations/", "/methodology/"]
FILTERED = [
    "/figures/?status=disputed&sort=sources",
    "/claims/?outlet=china-daily&q=1828",
    "/articles/?outlet=global-times",
    "/search/?q=1828",
]
ERRORS = ["/no-such-page/", "/figures/?page=999", "/claims/?page=abc"]


def detail_paths():
    return [
        item.get_absolute_url()
        for model in (Figure, Article, Operation)
        for item in model.objects.order_by("pk")
        if model is not Figure or item.status != "unsourced"
    ]


def public_paths():
    """Read before the browser starts: while Playwright's event loop runs in the test's thread,
    Django would open (and leak) a separate database connection for a query."""
    return LISTS + FILTERED + detail_paths() + ERRORS
