"""The Content-Security-Policy in headless Chromium: no page breaks it, and it is enforced.

Every public page and the editors' admin pages (autocompletes, inline rows, saving, CSV export
and import) run under the policy without a single violation, and a script injected inline is refused.
"""

from types import SimpleNamespace

import pytest

from archive.models import Article, Claim, Figure, Operation, Outlet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Playwright runs init scripts itself, so the policy cannot block this listener. It reports
# through a binding, which outlives navigations.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportCspViolation(
        `${event.effectiveDirective} refused ${event.blockedURI} on ${event.documentURI}`
        + ` (${event.sourceFile || "the page"}:${event.lineNumber})`
    );
});
"""
INJECT_INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.injectedByInlineScript = true;";
    document.body.append(script);
    return window.injectedByInlineScript;
}"""


@pytest.fixture
def records(seed):
    """What the pages show, read before the browser starts (see disputed_passage in test_browser_public.py)."""
    article = Article.objects.get(slug="global-times-2019-11-26-china-will-apply-5g-technology")
    claim = Claim.objects.filter(article=article).select_related("figure").order_by("pk").first()
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    outlet = Outlet.objects.order_by("pk").first()
    return SimpleNamespace(
        article_pk=article.pk,
        article_url=article.get_absolute_url(),
        claims_in_article=Claim.objects.filter(article=article).count(),
        claim_pk=claim.pk,
        claim_figure_title=claim.figure.title,
        figure_pk=figure.pk,
        figure_title=figure.title,
        figure_url=figure.get_absolute_url(),
        operation_url=Operation.objects.get(slug="demeter-v").get_absolute_url(),
        outlet_slug=outlet.slug,
        outlet_name=outlet.name,
    )


@pytest.fixture
def browse(chromium):
    """A page that records every policy violation, as reported by the page and by the console."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    violations = []
    context.expose_binding("reportCspViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)

    def note_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(f"console: {message.text}")

    page.on("console", note_console)
    yield page, violations
    context.close()


def settle(page):
    """Let late violation reports (they are queued as tasks) reach the test."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((done) => setTimeout(done, 100))")


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    settle(page)
    return response


def log_in(page, server_url):
    from playwright.sync_api import expect

    visit(page, f"{server_url}/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server_url}/admin/")


def test_every_public_page_runs_under_the_policy_without_a_violation(live_server, records, browse):
    page, violations = browse
    for path in [
        "/",
        "/figures/",
        records.figure_url,
        "/claims/",
        "/articles/",
        records.article_url,
        "/operations/",
        records.operation_url,
    ]:
        visit(page, f"{live_server.url}{path}")
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "", path
        assert page.evaluate("document.styleSheets.length") >= 1, path
    assert violations == [], "\n".join(violations)


def test_an_injected_inline_script_is_refused(live_server, records, browse):
    page, violations = browse
    for path in ["/", "/admin/login/"]:
        visit(page, f"{live_server.url}{path}")
        assert page.evaluate(INJECT_INLINE_SCRIPT) is None, path
        settle(page)
        assert [text for text in violations if text.startswith("script-src-elem refused inline on")], path
        assert [text for text in violations if "Executing inline script violates" in text], path
        violations.clear()


def test_an_editor_curates_in_the_admin_without_a_violation(live_server, records, editor, browse):
    from playwright.sync_api import expect

    page, violations = browse
    admin = f"{live_server.url}/admin"

    log_in(page, live_server.url)
    expect(page.locator("#content h1")).to_have_text("Curate the archive")
    settle(page)

    visit(page, f"{admin}/archive/claim/")
    page.fill("#searchbar", "waste")
    page.locator("#changelist-search").get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{admin}/archive/claim/?q=waste")
    expect(page.locator("#result_list tbody tr")).not_to_have_count(0)
    # The figure status badge is coloured by the admin's stylesheet, not by an inline style.
    badge = page.locator("#result_list .figure-status-disputed").first
    expect(badge).to_have_css("background-color", "rgb(161, 38, 34)")
    page.locator("#changelist-filter").get_by_role("link", name="published", exact=True).first.click()
    expect(page).to_have_url(f"{admin}/archive/claim/?q=waste&status__exact=published")
    expect(page.locator("#result_list tbody tr")).not_to_have_count(0)
    settle(page)

    # The figure autocomplete opens, searches over the network and offers the figure back.
    visit(page, f"{admin}/archive/claim/{records.claim_pk}/change/")
    page.locator(".field-figure .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(records.claim_figure_title[:12])
    option = page.locator(".select2-results__option", has_text=records.claim_figure_title)
    expect(option).to_be_visible()
    option.click()
    expect(page.locator(".field-figure .select2-selection__rendered")).to_contain_text(records.claim_figure_title)
    page.fill("#id_note", "Checked against the print edition.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator("#id_note")).to_have_value("Checked against the print edition.")
    settle(page)

    # The article's claims inline: "Add another" adds a row whose autocomplete works too.
    visit(page, f"{admin}/archive/article/{records.article_pk}/change/")
    rows = page.locator("#claims-group tbody tr.form-row:not(.empty-form)")
    expect(rows).to_have_count(records.claims_in_article)
    page.locator("#claims-group .add-row a").click()
    expect(rows).to_have_count(records.claims_in_article + 1)
    rows.last.locator(".field-figure .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Demeter")
    expect(page.locator(".select2-results__option", has_text=records.figure_title)).to_be_visible()
    page.keyboard.press("Escape")
    settle(page)

    visit(page, f"{admin}/archive/figure/{records.figure_pk}/change/")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    settle(page)

    assert violations == [], "\n".join(violations)


def test_the_export_page_selects_and_unselects_every_column_without_a_violation(live_server, records, editor, browse):
    from playwright.sync_api import expect

    page, violations = browse
    log_in(page, live_server.url)

    visit(page, f"{live_server.url}/admin/archive/outlet/export/")
    columns = page.locator(".selectable-field-export-row input[type=checkbox]:not(.select-toggle)")
    expect(columns).to_have_count(4)
    page.locator(".select-toggle").uncheck()
    for column in columns.all():
        expect(column).not_to_be_checked()
    page.locator(".select-toggle").check()
    for column in columns.all():
        expect(column).to_be_checked()
    settle(page)

    assert violations == [], "\n".join(violations)


def test_the_import_preview_colours_what_an_update_changes_without_a_violation(live_server, records, editor, browse):
    from playwright.sync_api import expect

    page, violations = browse
    log_in(page, live_server.url)
    update = f"slug,name,country\r\n{records.outlet_slug},{records.outlet_name},Atlantis\r\n".encode()

    visit(page, f"{live_server.url}/admin/archive/outlet/import/")
    page.set_input_files("#id_import_file", {"name": "outlets.csv", "mimeType": "text/csv", "buffer": update})
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#content h2").first).to_have_text("This import will create 0, update 1 and leave 0 unchanged")
    expect(page.locator(".import-preview ins", has_text="Atlantis")).to_have_css(
        "background-color", "rgb(230, 255, 230)"
    )
    expect(page.locator(".import-preview del").first).to_have_css("background-color", "rgb(255, 230, 230)")
    settle(page)

    assert violations == [], "\n".join(violations)
