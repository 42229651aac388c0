"""The public pages of the seed data that the browser tests visit, in one list: every list with and
without filters, searches with and without results, every detail page and the error pages.

tests/test_public_addresses.py checks that every address of the URL configuration answering HTML
is in this list, so a new page is visited by the width and accessibility tests without asking.
"""

from django.test import RequestFactory

from archive.models import Article, Figure, Operation, Outlet
from archive.views.pages import server_error

LISTS = ["/", "/figures/", "/claims/", "/articles/", "/operations/", "/outlets/", "/methodology/"]
FILTERED = [
    "/figures/?status=disputed&sort=sources",
    "/claims/?outlet=china-daily&q=1828",
    "/articles/?outlet=global-times",
    "/operations/?q=earth+goddess&sort=name",
    "/search/?q=1828",
    "/search/?q=no-such-words",
]
# No address fails on purpose: the browser answers this one with the server error page itself.
SERVER_ERROR = "/a-page-that-fails/"
ERRORS = ["/no-such-page/", "/figures/?page=999", "/claims/?page=abc", SERVER_ERROR]


def detail_paths():
    return [
        item.get_absolute_url()
        for model in (Figure, Article, Operation, Outlet)
        for item in model.objects.order_by("pk")
        if model is not Figure or item.status != "unsourced"
    ]


def public_paths():
    """Read before the browser starts: while Playwright's event loop runs in the test's thread,
    Django would open (and leak) a separate database connection for a query."""
    return LISTS + FILTERED + detail_paths() + ERRORS


def new_page(browser, base_url, width):
    """A page `width` px wide on which SERVER_ERROR answers the archive's 500 page, drawn as the
    error handler draws it: without the database."""
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    failure = server_error(RequestFactory().get(SERVER_ERROR))
    page.route(
        f"{base_url}{SERVER_ERROR}",
        lambda route: route.fulfill(status=500, content_type=failure["Content-Type"], body=failure.content),
    )
    return page
