"""Every public page passes axe-core, the accessibility rules from npm (package.json), with no
violation at desktop and phone width, in headless Chromium on the seed data.

`make install-test` installs axe-core with `npm ci`. Without it the test is skipped, unless
ARCHIVE_REQUIRE_BROWSER=1 (as in CI), when it fails.
"""

import os
from pathlib import Path

import pytest

from .public_pages import new_page, public_paths

# Serialized like the other browser tests that precede the plain transactional ones: a plain
# transactional test re-creates the content types its flush removed, which a serialized one after
# it would then load a second time.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 390)

# Each violation with the elements it was found on; run by Playwright, so the page's
# Content-Security-Policy, which refuses inline scripts, does not apply to axe itself.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map(violation => ({
    id: violation.id,
    help: violation.help,
    targets: violation.nodes.map(node => node.target.join(' ')),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        message = "axe-core not found: install it with `make install-test` (npm ci)"
        if os.environ.get("ARCHIVE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message} (ARCHIVE_REQUIRE_BROWSER=1 requires the browser tests to run)")
        pytest.skip(message)
    return AXE.read_text()


@pytest.fixture
def paths(seed):
    return public_paths()


def violations(page, axe_source):
    """What axe-core finds on the page: each rule broken, its help and the elements that break it."""
    page.evaluate(axe_source)
    return [
        f"{violation['id']} ({violation['help']}) on {violation['targets']}" for violation in page.evaluate(RUN_AXE)
    ]


def test_no_public_page_has_an_accessibility_violation(live_server, paths, axe_source, chromium):
    found = []
    for width in WIDTHS:
        page = new_page(chromium, live_server.url, width)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            found += [f"{path} at {width} px: {violation}" for violation in violations(page, axe_source)]
        page.context.close()
    assert found == [], "\n".join(found)


def test_it_names_the_rule_its_help_and_the_element_that_breaks_it(live_server, seed, axe_source, chromium):
    page = chromium.new_page()
    page.goto(f"{live_server.url}/")
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    assert violations(page, axe_source) == ["image-alt (Images must have alternative text) on ['img']"]
