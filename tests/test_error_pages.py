"""With debug off, errors get the archive's own pages, with its header and a viewport, and a
list's missing page links back to the list; the data addresses answer errors as data."""

import json

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import override_settings
from django.urls import path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

from .test_public_pages import GLOBAL_TIMES, PAGES, text


def fail(request):
    raise RuntimeError("a bug")


def refuse(request):
    raise SuspiciousOperation("a forged request")


# The site's addresses and its error handlers, with views that fail.
urlpatterns = [path("fails/", fail), path("fails.json", fail), path("refused/", refuse), *site_urlpatterns]

BRANDED = '<a class="brand" href="/">Sourced Figures Archive</a>'
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'

pytestmark = pytest.mark.urls(__name__)


def test_the_site_names_the_archives_error_handlers():
    assert handler404 == "archive.views.pages.page_not_found"
    assert handler500 == "archive.views.pages.server_error"
    assert handler400 == "archive.views.pages.bad_request"


@override_settings(DEBUG=False)
def test_an_unknown_address_gets_the_branded_404(client, seed):
    response = client.get("/figures/no-such-figure/")
    assert response.status_code == 404
    html = text(response)
    assert BRANDED in html and VIEWPORT in html and '<meta name="robots" content="noindex">' in html
    assert "No page at this address" in html
    assert "first page of the list" not in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "first_page"),
    [
        ("/figures/?page=999", 404, "/figures/"),
        ("/figures/?page=0", 404, "/figures/"),
        ("/figures/?status=disputed&page=7", 404, "/figures/?status=disputed"),
        ("/claims/?page=abc", 400, "/claims/"),
        ("/articles/?page=-1", 400, "/articles/"),
        ("/operations/?page=2.5", 400, "/operations/"),
    ],
)
def test_a_list_page_that_does_not_exist_links_back_to_the_first_page(client, seed, url, status, first_page):
    response = client.get(url)
    assert response.status_code == status
    html = text(response)
    assert BRANDED in html and VIEWPORT in html
    assert f'<a href="{first_page}">Go to the first page of the list</a>' in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status"),
    [("/figures.json?page=abc", 400), ("/claims.json?page=999", 404), ("/figures.json?page=0", 404)],
)
def test_a_json_address_answers_a_json_error(client, seed, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(text(response))["status"] == status


@override_settings(DEBUG=False)
def test_a_csv_address_answers_a_plain_text_error(client, seed):
    response = client.get("/claims.csv?page=abc")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "page" in text(response)


@override_settings(DEBUG=False)
def test_a_server_error_gets_the_branded_500_without_touching_the_database():
    from django.test import Client

    # No database fixture: any query the handler made would itself fail, and give plain text.
    response = Client(raise_request_exception=False).get("/fails/")
    assert response.status_code == 500
    html = text(response)
    assert BRANDED in html and VIEWPORT in html
    assert "Something went wrong on our side" in html


@override_settings(DEBUG=False)
def test_a_server_error_on_a_json_address_answers_json():
    from django.test import Client

    response = Client(raise_request_exception=False).get("/fails.json")
    assert response.status_code == 500
    assert json.loads(text(response))["status"] == 500


@override_settings(DEBUG=False)
def test_a_refused_request_gets_the_branded_400():
    from django.test import Client

    response = Client().get("/refused/")
    assert response.status_code == 400
    html = text(response)
    assert BRANDED in html and VIEWPORT in html
    assert "The request could not be answered" in html


@override_settings(DEBUG=False)
@pytest.mark.parametrize("url", [*PAGES, "/methodology/", "/no-such-page/", "/figures/?page=abc"])
def test_every_page_has_a_viewport(client, seed, url):
    assert VIEWPORT in text(client.get(url))


def test_pages_keep_their_canonical_link_and_error_pages_have_none(client, seed):
    assert f'<link rel="canonical" href="http://testserver{GLOBAL_TIMES}">' in text(client.get(GLOBAL_TIMES))
    assert 'rel="canonical"' not in text(client.get("/no-such-page/"))
