"""Every public page fits a phone: no sideways scrolling at 320 and 390 px, and the chart's text
at least 12 px, in headless Chromium on the seed data (see the `chromium` fixture)."""

import pytest

from .public_pages import new_page, public_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (320, 390)
SMALLEST_TEXT_PX = 12


@pytest.fixture
def paths(seed):
    return public_paths()


# The widest element, to name it when a page is too wide.
WIDEST = """() => {
  let widest = null;
  for (const element of document.querySelectorAll('body *')) {
    const right = element.getBoundingClientRect().right;
    if (!widest || right > widest.right) {
      widest = {right, tag: element.tagName, cls: element.className, text: (element.textContent || '').slice(0, 60)};
    }
  }
  return widest;
}"""

# The on-screen size of the smallest chart text: its font size times the scale the SVG is drawn at.
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(
  text => parseFloat(getComputedStyle(text).fontSize) * text.ownerSVGElement.getScreenCTM().a))"""


def test_no_public_page_scrolls_sideways_on_a_phone(live_server, paths, chromium):
    overflowing = []
    charts = 0
    for width in WIDTHS:
        page = new_page(chromium, live_server.url, width)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll_width > inner_width:
                overflowing.append((width, path, scroll_width, page.evaluate(WIDEST)))
            if page.locator("svg.chart text").count():
                charts += 1
                smallest = page.evaluate(SMALLEST_CHART_TEXT)
                assert smallest >= SMALLEST_TEXT_PX, f"{path} at {width} px: chart text {smallest:.1f} px"
        page.context.close()
    assert overflowing == []
    assert charts >= 2 * len(WIDTHS)
