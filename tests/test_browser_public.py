"""A reader's walk through the public archive in headless Chromium, on the seed data.

Screenshots and the downloaded CSV are saved to test-artifacts/. Without Chromium the
walk is skipped, unless ARCHIVE_REQUIRE_BROWSER=1 (as in CI), when it fails (see the
`chromium` fixture in conftest.py).
"""

import csv
import io
import re
from pathlib import Path

import pytest

from archive.models import Claim

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FIGURE_TITLE = "Waste seized by China customs in Operation Demeter V, September 2019"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def disputed_passage(seed):
    """The China Daily claim on the disputed figure: its id and the article page it is quoted from.
    Read before the browser starts: while Playwright's event loop runs in this thread, Django
    would open (and leak) a separate database connection for it."""
    claim = Claim.objects.select_related("article").get(
        figure__slug="demeter-v-waste-seized-china-customs", article__outlet__name="China Daily"
    )
    return claim.pk, claim.article.get_absolute_url()


@pytest.fixture(autouse=True)
def artifacts_folder():
    ARTIFACTS.mkdir(exist_ok=True)


def test_it_walks_a_reader_from_the_home_page_to_the_disputed_figure_its_sources_and_the_csv(
    live_server, disputed_passage, chromium
):
    from playwright.sync_api import expect

    claim_id, article_path = disputed_passage
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Every sourced figure, side by side with its sources")
    page.screenshot(path=ARTIFACTS / "01-home.png", full_page=True)

    page.locator("#contested").locator("..").get_by_role("link", name=FIGURE_TITLE).click()
    expect(page).to_have_url(f"{live_server.url}/figures/demeter-v-waste-seized-china-customs/")
    expect(page.get_by_role("heading", level=1)).to_have_text(FIGURE_TITLE)
    expect(page.locator(".comparison")).to_contain_text(
        "Global Times 4,585 t vs China Daily about 1,500 t: 3.1 times higher"
    )
    quotes = page.locator("blockquote")
    expect(quotes).to_have_count(2)
    expect(quotes.nth(0)).to_contain_text('seized 4,585 tons of smuggled waste during "Operation Earth Goddess."')
    expect(quotes.nth(1)).to_contain_text("which seized roughly 1,500 tons of waste.")
    expect(page.locator("svg.chart rect.bar")).to_have_count(2)
    page.screenshot(path=ARTIFACTS / "02-disputed-figure.png", full_page=True)

    page.locator(f"#claim-{claim_id}").get_by_role("link", name="Read this passage in the archived article").click()
    expect(page).to_have_url(f"{live_server.url}{article_path}#claim-{claim_id}")
    passage = page.locator("mark.quote", has=page.locator(f"#claim-{claim_id}"))
    expect(passage).to_contain_text("which seized roughly 1,500 tons of waste.")
    expect(passage).to_be_in_viewport()
    targeted = page.evaluate("document.querySelector('mark.quote:has(.anchor:target)')?.textContent")
    assert "roughly 1,500 tons" in targeted
    page.screenshot(path=ARTIFACTS / "03-article-passage.png")

    page.goto(f"{live_server.url}/figures/")
    page.locator('[data-facet="status"] a[data-value="disputed"]').click()
    expect(page).to_have_url(re.compile(r"/figures/\?.*status=disputed"))
    rows = page.locator("table.figures tbody tr")
    expect(rows).to_have_count(2)
    chosen = page.locator('[data-facet="status"] a[aria-current="true"]')
    expect(chosen).to_have_attribute("data-value", "disputed")
    page.screenshot(path=ARTIFACTS / "04-figures-disputed.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "figures.csv"
    saved = ARTIFACTS / "figures-disputed.csv"
    download.save_as(saved)
    exported = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    shown = [rows.nth(index).get_attribute("data-slug") for index in range(2)]
    assert [row["slug"] for row in exported] == shown
    assert {row["status"] for row in exported} == {"disputed"}

    chosen.click()  # a second click on the chosen value removes its filter
    expect(page).to_have_url(f"{live_server.url}/figures/")
    expect(page.locator('[data-facet="status"] a[aria-current="true"]')).to_have_count(0)
    context.close()


def test_it_reads_on_a_phone_without_sideways_scrolling(live_server, seed, chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    for path, name in [
        ("/figures/demeter-v-waste-seized-china-customs/", "05-phone-figure.png"),
        ("/figures/", "06-phone-figures.png"),
        ("/articles/global-times-2019-11-26-china-will-apply-5g-technology/", "07-phone-article.png"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        page.screenshot(path=ARTIFACTS / name, full_page=True)
    context.close()
