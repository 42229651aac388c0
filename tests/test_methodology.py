"""The methodology page states the archive's rules as the code applies them, every status badge
and misattribution hint links to its paragraph, and the data carries its licence."""

import json
import re

import pytest

from archive.views.exports import LICENCE
from archive.views.pages import STATUS_EXAMPLES, status_examples
from archive.vocabulary import ABOUT_MARGIN, BOUNDS, UNITS, FigureStatus, Measure

from .test_public_pages import DISPUTED, text, visible

METHODOLOGY = "/methodology/"
MISATTRIBUTED = "/figures/demeter-v-cases-china-customs/"


@pytest.fixture
def page(client, seed):
    return text(client.get(METHODOLOGY))


def test_it_states_each_bound_with_the_words_that_print_it_and_how_it_is_read(page):
    words = visible_text(page)
    for bound in BOUNDS:
        assert bound.meaning in words
        for printed in bound.printed:
            assert f"“{printed}”" in words
    assert f"“about” allows {ABOUT_MARGIN * 100:.0f}% either way" in words


def test_it_states_each_unit_with_its_conversion_and_what_prints_it(page):
    words = visible_text(page)
    assert "tonnes mass 1,000 kilograms" in words
    for unit in UNITS:
        for printed in unit.printed:
            assert f"“{printed}”" in words
    for measure in Measure:
        assert measure.label in words


def test_it_gives_every_public_status_a_paragraph_and_examples_the_rule_itself_computes(page):
    for status in FigureStatus:
        assert (f'id="status-{status.value}"' in page) == (status != FigureStatus.UNSOURCED)
    assert len(STATUS_EXAMPLES) == len(status_examples())
    computed = {example["status"] for example in status_examples()}
    assert computed == {FigureStatus.CONSISTENT, FigureStatus.MINOR, FigureStatus.DISPUTED}
    assert "about 1,500 tonnes and 4,585 tonnes: disputed" in visible_text(page)


def test_it_states_the_misattribution_and_editorial_rules_corrections_contact_licence_and_citation(page):
    for anchor in ("misattribution", "editorial", "furniture", "dates", "corrections", "contact", "licence", "cite"):
        assert f'id="{anchor}"' in page
    assert f'<a rel="license" href="{LICENCE["url"]}">{LICENCE["name"]}</a>' in page


def test_it_names_the_contact_address_when_one_is_configured(client, seed, settings):
    settings.ARCHIVE_CONTACT_EMAIL = "corrections@example.org"
    assert 'href="mailto:corrections@example.org"' in text(client.get(METHODOLOGY))


def test_it_costs_one_query_the_data_version(client, seed, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(METHODOLOGY).status_code == 200


def test_every_page_links_to_it_from_the_header_and_the_footer(client, seed):
    html = text(client.get("/"))
    assert html.count('href="/methodology/"') == 2
    assert f'href="/methodology/#licence">{LICENCE["name"]}</a>' in html


@pytest.mark.parametrize("url", ["/", "/figures/", "/claims/", DISPUTED, "/operations/demeter-v/"])
def test_every_status_badge_links_to_its_paragraph(client, seed, url):
    html = text(client.get(url))
    badges = re.findall(r'<a class="status status-(\w+)" href="([^"]+)"', html)
    assert badges
    assert all(href == f"/methodology/#status-{status}" for status, href in badges)
    assert '<span class="status' not in html


@pytest.mark.parametrize("url", [MISATTRIBUTED, "/figures/"])
def test_the_misattribution_hint_links_to_its_paragraph(client, seed, url):
    assert 'href="/methodology/#misattribution"' in text(client.get(url))


def test_the_json_carries_the_licence_and_every_export_a_licence_link(client, seed):
    for url in ("/figures.json", "/claims.json?page=1"):
        response = client.get(url)
        assert json.loads(text(response))["licence"] == LICENCE
        assert response["Link"] == f'<{LICENCE["url"]}>; rel="license"'
    for url in ("/figures.csv", "/claims.csv"):
        response = client.get(url)
        assert response["Link"] == f'<{LICENCE["url"]}>; rel="license"'
        assert "licen" not in text(response).splitlines()[0]


def test_the_figure_page_offers_its_licence_with_the_citation_and_in_its_linked_data(client, seed):
    html = text(client.get(DISPUTED))
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["license"] == LICENCE["url"]
    assert "The archive's data is free to reuse under CC BY 4.0 ; how to cite" in visible(client.get(DISPUTED))


def visible_text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
