"""Every public page carries Open Graph and Twitter card tags, so a shared link previews the page:
its title, its description in words, its address, its type and the site's name."""

from html.parser import HTMLParser

import pytest

from archive.models import Figure

from . import public_data as make

PAGES = [
    "/",
    "/search/?q=1828",
    "/figures/",
    "/figures/demeter-v-waste-seized-china-customs/",
    "/claims/",
    "/articles/",
    "/articles/global-times-2019-11-26-china-will-apply-5g-technology/",
    "/operations/",
    "/operations/demeter-v/",
    "/methodology/",
]


class Head(HTMLParser):
    """The <title>, the canonical address and the meta tags of a page's head."""

    def __init__(self, page):
        super().__init__()
        self.meta, self.title, self.canonical, self.in_title = {}, "", None, False
        self.feed(page.split("</head>")[0])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs["content"]
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        self.in_title = tag == "title"

    def handle_endtag(self, tag):
        self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def head(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    return Head(response.content.decode())


@pytest.mark.parametrize("url", PAGES)
def test_every_public_page_previews_its_title_description_address_and_type(client, seed, url):
    page = head(client, url)
    assert page.meta["og:site_name"] == "Sourced Figures Archive"
    assert page.meta["og:title"] == page.meta["twitter:title"] == page.title.removesuffix(" · Sourced Figures Archive")
    assert page.meta["og:description"] == page.meta["twitter:description"] == page.meta["description"]
    assert page.meta["og:description"]
    assert page.meta["og:url"] == page.canonical
    assert page.meta["og:type"] == ("article" if url.startswith("/articles/global") else "website")
    assert page.meta["twitter:card"] == "summary"


def test_a_figure_preview_says_its_status_and_values_in_words(client, seed):
    page = head(client, "/figures/demeter-v-waste-seized-china-customs/")
    assert (
        page.meta["og:description"]
        == "Disputed: Global Times gives 4,585 tonnes; China Daily gives about 1,500 tonnes."
    )


def test_a_preview_shows_a_title_as_typed_and_never_as_markup(client, db):
    title = 'Seized "all" <script>alert(1)</script> & more'
    figure = make.sourced_figure([12], title=title)
    response = client.get(figure.get_absolute_url())
    page = Head(response.content.decode())
    assert page.meta["og:title"] == page.meta["twitter:title"] == title
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Figure.objects.get(pk=figure.pk).title == title


def test_a_missing_page_previews_without_an_address(client, db):
    page = head(client, "/figures/no-such-figure/", status=404)
    assert page.meta["og:title"] == "Page not found"
    assert "og:url" not in page.meta
