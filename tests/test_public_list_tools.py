"""The lists as data tools: the filters applied as chips that each remove one, pages by number
with the rows they hold, sortable column headers, and exports another site can read page by page."""

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.models import Claim, Figure, Operation
from archive.views import ClaimList, FigureList, OperationList

from . import public_data as make


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def chips(html):
    """{chip text: (path, parameters)} of the filters applied."""
    block = re.search(r'<ul class="active-filters"[^>]*>(.*?)</ul>', html, re.S)
    if not block:
        return {}
    found = {}
    for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', block.group(1), re.S):
        address = urlsplit(unescape(href))
        text = " ".join(re.sub(r"<[^>]+>", " ", text).split()).removeprefix("Remove the filter ").removesuffix(" ×")
        found[text] = (address.path, parse_qs(address.query))
    return found


class TestActiveFilters:
    def test_each_filter_is_a_chip_that_removes_it_alone(self, client, seed):
        html = html_of(client, "/figures/?operation=demeter-v&status=disputed&q=china&sort=title&page=1")
        operation = Operation.objects.get(slug="demeter-v").name
        assert chips(html) == {
            f"Operation: {operation}": ("/figures/", {"q": ["china"], "status": ["disputed"], "sort": ["title"]}),
            "Status: disputed": ("/figures/", {"q": ["china"], "operation": ["demeter-v"], "sort": ["title"]}),
            "Search: china": ("/figures/", {"operation": ["demeter-v"], "status": ["disputed"], "sort": ["title"]}),
        }
        assert '<a class="clear" href="/figures/">Remove every filter</a>' in html

    def test_a_filter_without_a_facet_shows_its_value(self, client, seed):
        html = html_of(client, "/claims/?figure=demeter-v-waste-seized-china-customs")
        assert chips(html) == {"Figure: demeter-v-waste-seized-china-customs": ("/claims/", {})}
        assert "Remove every filter" not in html
        html = html_of(client, "/claims/?article=no-such-article&q=x")
        assert chips(html)["Article: no-such-article"] == ("/claims/", {"q": ["x"]})

    def test_the_outlet_chip_names_the_outlet(self, client, seed):
        assert list(chips(html_of(client, "/articles/?outlet=china-daily"))) == ["Outlet: China Daily"]

    def test_an_unfiltered_list_has_no_chips(self, client, seed):
        assert chips(html_of(client, "/figures/?sort=title")) == {}

    def test_a_chip_never_renders_its_value_as_markup(self, client, seed):
        html = html_of(client, "/claims/?figure=%3Cscript%3Ealert(1)%3C/script%3E")
        assert "<script>alert(1)</script>" not in html


class TestPages:
    def test_a_page_says_which_rows_it_holds_and_links_every_page_by_number(self, client, seed, monkeypatch):
        monkeypatch.setattr(FigureList, "paginate_by", 5)
        total = Figure.objects.filter(source_count__gt=0).count()
        html = html_of(client, "/figures/?sort=title&page=2")
        assert f"Rows 6–10 of {total}" in html
        pages = (total + 4) // 5
        numbers = re.findall(
            r'<li><a href="\?page=(\d+)&amp;sort=title"><span class="unseen">Page </span>\d+</a></li>', html
        )
        assert [int(number) for number in numbers] == [number for number in range(1, pages + 1) if number != 2]
        assert '<span aria-current="page"><span class="unseen">Page </span>2</span>' in html

    def test_a_long_list_elides_the_pages_far_from_this_one(self, client, db, monkeypatch):
        monkeypatch.setattr(OperationList, "paginate_by", 1)
        for _ in range(12):
            make.operation()
        html = html_of(client, "/operations/?page=6")
        assert "Rows 6–6 of 12" in html
        shown = [int(number) for number in re.findall(r'href="\?page=(\d+)"><span class="unseen">', html)]
        assert shown == [1, 4, 5, 7, 8, 12]
        assert html.count('<span class="gap">…</span>') == 2

    def test_a_single_page_has_no_page_links(self, client, seed):
        assert 'class="pagination"' not in html_of(client, "/articles/")


class TestSortableHeaders:
    def test_each_header_sorts_by_its_column_from_the_first_page(self, client, seed):
        html = html_of(client, "/figures/?status=disputed&page=1")
        headers = {
            text: parse_qs(urlsplit(unescape(href)).query)
            for href, text in re.findall(r'<th scope="col"[^>]*><a href="([^"]+)">([^<]+)</a>', html)
        }
        assert headers == {
            "Figure": {"sort": ["title"], "status": ["disputed"]},
            "Values, by source": {"sort": ["sources"], "status": ["disputed"]},
            "Status": {"sort": ["status"], "status": ["disputed"]},
            "Operation": {"sort": ["operation"], "status": ["disputed"]},
        }

    def test_the_header_of_the_order_shown_says_so(self, client, seed):
        assert '<th scope="col" aria-sort="other"><a href="?sort=status">Status</a>' in html_of(client, "/figures/")
        html = html_of(client, "/claims/?sort=value")
        assert '<th scope="col" aria-sort="descending"><a href="?sort=value">Value</a>' in html
        assert html.count("aria-sort=") == 1

    def test_the_source_header_turns_newest_first_into_oldest_first(self, client, seed):
        assert 'aria-sort="descending"><a href="?sort=oldest">Source</a>' in html_of(client, "/claims/?sort=newest")
        assert 'aria-sort="ascending"><a href="?sort=newest">Source</a>' in html_of(client, "/claims/?sort=oldest")

    def test_every_header_link_is_a_sort_the_list_knows(self, client, seed):
        for url, view in (("/figures/", FigureList), ("/claims/", ClaimList)):
            sorts = set(view.filterset_class.base_filters["sort"].sorts)
            linked = set(re.findall(r'<th scope="col"[^>]*><a href="\?sort=(\w+)"', html_of(client, url)))
            assert linked and linked <= sorts


def exported(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, json.loads(b"".join(response.streaming_content))


class TestExports:
    def test_json_by_page_links_the_next_and_previous_pages_absolutely(self, client, seed, monkeypatch):
        monkeypatch.setattr(ClaimList, "paginate_by", 3)
        _, data = exported(client, "/claims.json?sort=value&page=2")
        assert len(data["results"]) == 3
        assert data["count"] == Claim.objects.published().count() > 3  # every matching row, not the page's
        assert data["next"] == "http://testserver/claims.json?page=3&sort=value"
        assert data["previous"] == "http://testserver/claims.json?page=1&sort=value"
        _, first = exported(client, "/claims.json?sort=value&page=1")
        assert first["previous"] is None and first["next"].endswith("page=2&sort=value")

    def test_following_next_walks_every_row_once(self, client, seed, monkeypatch):
        monkeypatch.setattr(FigureList, "paginate_by", 4)
        _, whole = exported(client, "/figures.json")
        assert whole["next"] is None and whole["previous"] is None
        seen, url = [], "/figures.json?page=1"
        while url:
            _, data = exported(client, url)
            seen += [row["slug"] for row in data["results"]]
            url = data["next"] and data["next"].removeprefix("http://testserver")
        assert seen == [row["slug"] for row in whole["results"]]

    @pytest.mark.parametrize("url", ["/figures.csv", "/figures.json", "/claims.csv?q=1828", "/claims.json?page=1"])
    def test_the_data_addresses_may_be_read_from_any_site(self, client, seed, url):
        response = client.get(url)
        assert response["Access-Control-Allow-Origin"] == "*"

    @pytest.mark.parametrize("url", ["/figures/", "/", "/search/?q=1828"])
    def test_the_pages_are_not_shared_with_other_sites(self, client, seed, url):
        assert "Access-Control-Allow-Origin" not in client.get(url)


def facet_links(html, name):
    """{option value: (link text, path, parameters, chosen)} of one facet."""
    block = re.search(rf'<ul data-facet="{name}">(.*?)</ul>', html, re.S).group(1)
    found = {}
    for attributes, value, text in re.findall(r'<a ([^>]*)data-value="([^"]+)">(.*?)</a>', block, re.S):
        href = unescape(re.search(r'href="([^"]*)"', attributes).group(1))
        address = urlsplit(href)
        words = " ".join(re.sub(r"<[^>]+>", " ", text).split())
        found[value] = (words, address.path, parse_qs(address.query), 'aria-current="true"' in attributes)
    return found


class TestFacets:
    def test_each_value_is_one_click_that_adds_it_to_the_other_filters_from_the_first_page(self, client, seed):
        html = html_of(client, "/figures/?q=china&sort=title&page=1")
        status = facet_links(html, "status")
        assert status["disputed"] == (
            "disputed 2",
            "/figures/",
            {"q": ["china"], "sort": ["title"], "status": ["disputed"]},
            False,
        )
        assert not any(chosen for *_, chosen in status.values())

    def test_a_value_replaces_the_value_chosen_before(self, client, seed):
        html = html_of(client, "/figures/?status=disputed")
        assert facet_links(html, "status")["single"][1:3] == ("/figures/", {"status": ["single"]})

    def test_the_chosen_value_is_marked_and_a_second_click_removes_it(self, client, seed):
        html = html_of(client, "/figures/?status=disputed&operation=demeter-v&sort=title")
        words, path, parameters, chosen = facet_links(html, "status")["disputed"]
        assert chosen and words.startswith("disputed 2")
        assert (path, parameters) == ("/figures/", {"operation": ["demeter-v"], "sort": ["title"]})
        assert [value for value, (*_, chosen) in facet_links(html, "operation").items() if chosen] == ["demeter-v"]

    def test_a_facet_value_never_renders_as_markup(self, client, seed):
        html = html_of(client, "/figures/?operation=%3Cb%3Ebold%3C/b%3E")
        assert "<b>bold</b>" not in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html

    def test_the_search_form_keeps_the_facets_chosen(self, client, seed):
        html = html_of(client, "/claims/?status=disputed&outlet=china-daily&q=waste")
        form = re.search(r'<form class="search".*?</form>', html, re.S).group(0)
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
        assert hidden == {"outlet": "china-daily", "status": "disputed"}
        assert 'name="q" value="waste"' in form


class TestOperationSearch:
    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ("thunderball", ["thunderball-2019"]),  # its name
            ("earth goddess", ["demeter-v"]),  # a name sources give it
            ("WASTE", ["demeter-v"]),  # its focus, in any case
            ("waste thunderball", []),  # every word must match
        ],
    )
    def test_it_searches_names_aliases_and_focus(self, client, seed, query, found):
        html = html_of(client, f"/operations/?q={query}")
        assert re.findall(r'<h3><a href="/operations/([\w-]+)/">', html) == found

    def test_the_search_is_a_chip_and_exports_the_same_rows(self, client, seed):
        html = html_of(client, "/operations/?q=goddess")
        assert chips(html) == {"Search: goddess": ("/operations/", {})}
        _, data = exported(client, "/operations.json?q=goddess")
        assert [row["slug"] for row in data["results"]] == ["demeter-v"]
