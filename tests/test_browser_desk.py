"""An editor enters a new 12-number report through the claim desk in headless Chromium, by
keyboard alone: each claim on a figure the archive has is one submission and one field (the
figure, chosen with the arrow keys), a claim on a new figure two submissions, a number that is
no figure one. The test counts page loads, submissions and fields for the whole article."""

import pytest

from archive.models import Article, Claim, DismissedNumber, Figure, Outlet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The WCO's own account of the two operations: not one of the seeds, the same debriefing.
BODY = "\n\n".join(
    [
        "Operation Thunderball, coordinated by the WCO and INTERPOL, brought together 109 countries.",
        "Officers made 1,828 seizures during the operation. China customs contributed to 73 of those cases, "
        "involving a total 1.64 tons of endangered species.",
        "Among the seizures were 440 pieces of ivory and 545 kilograms of ivory products, as well as 2,550 "
        "cubic meters of timber.",
        "In Operation Demeter V, Chinese customs seized roughly 1,500 tons of waste in 85 cases.",
        "Over the year, Chinese customs handled cases involving 1,237 metric tons of endangered species.",
        "The results were announced after the first 10 months of planning. Officers in Operation Thunderball "
        "also made 12 arrests.",
    ]
)

# Each number, what the editor does with it, and the figure (a slug: an existing figure).
PLAN = [
    ("109", "thunderball-2019-participating-countries"),
    ("1,828", "thunderball-2019-seizures-china"),
    ("73", "thunderball-2019-cases-china-customs"),
    ("1.64", "thunderball-2019-weight-china-customs"),
    ("440", "thunderball-2019-ivory-pieces-china"),
    ("545", "thunderball-2019-ivory-products-weight-china"),
    ("2,550", "thunderball-2019-wood-volume-china"),
    ("1,500", "demeter-v-waste-seized-china-customs"),
    ("85", "demeter-v-cases-china-customs"),
    ("1,237", "china-customs-endangered-species-weight-jan-oct-2019"),
    ("10", "dismiss"),
    ("12", "new"),
]


@pytest.fixture
def report(seed):
    article = Article.objects.create(
        outlet=Outlet.objects.get_or_create(name="WCO newsroom")[0],
        title="Thunderball and Demeter V: the results",
        slug="wco-results",
        body=BODY,
    )
    return article.pk


def test_an_editor_claims_a_new_article_by_keyboard_through_the_desk(
    live_server, report, editor, chromium, monkeypatch
):
    from playwright.sync_api import expect

    # The test reads the database while Playwright's event loop runs in this thread; the server's
    # requests run in their own.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    counts = {"page loads": 0, "submissions": 0, "fields": 0}
    page.on("load", lambda _: counts.__setitem__("page loads", counts["page loads"] + 1))

    def submit(key="Enter"):
        counts["submissions"] += 1
        with page.expect_navigation():
            page.keyboard.press(key)

    def fill(selector, text):
        counts["fields"] += 1
        page.focus(selector)
        page.keyboard.type(text)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/archive/article/{report}/desk/")
    fill("#id_username", "alice")
    fill("#id_password", "correct horse battery")
    submit()
    login_fields = counts["fields"]
    expect(page.locator(".desk-coverage")).to_contain_text("0 of 12 numbers handled")

    for printed, plan in PLAN:
        expect(page.locator("#number h2").first).to_contain_text(printed)
        if plan == "dismiss":
            start = BODY.index(f" {printed} ") + 1
            page.locator(f'.desk-numbers form:has(input[value="{start}"]) button').focus()
            submit()
            continue
        choices = page.locator('input[name="figure"]')
        values = [choices.nth(index).get_attribute("value") for index in range(choices.count())]
        wanted = "new" if plan == "new" else str(Figure.objects.get(slug=plan).pk)
        # The choices have the focus when the page opens; the arrow keys move down the list.
        assert page.evaluate("document.activeElement.name") == "figure"
        counts["fields"] += 1
        if values.index(wanted) == 0:
            page.keyboard.press("Space")
        for _ in range(values.index(wanted)):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")  # to "Save claim"
        if plan == "new":
            page.select_option("#id_new_measure", "arrests")
            page.select_option("#id_new_organisation", label="All participating countries")
            counts["fields"] += 2
            page.focus("#id_new_title")
            submit()  # the title, slug and period are suggested
            expect(page.locator("#id_new_title")).to_have_value(
                "Arrests by All participating countries in Operation Thunderball, 4–30 June 2019"
            )
            page.focus("#id_new_title")
        submit()
        expect(page.locator(".messagelist")).to_contain_text("Claim saved")

    expect(page.locator(".desk-coverage")).to_contain_text("12 of 12 numbers handled")
    assert Claim.objects.filter(article_id=report).count() == 11
    assert DismissedNumber.objects.filter(article_id=report).count() == 1
    claims = {claim.figure.slug: claim for claim in Claim.objects.filter(article_id=report).select_related("figure")}
    assert (
        claims["demeter-v-waste-seized-china-customs"].bound,
        claims["thunderball-2019-weight-china-customs"].unit,
    ) == (
        "about",
        "t",
    )
    counts["fields"] -= login_fields
    print(f"\nThe whole article through the desk: {counts} (typed fields not counting the log-in)")
    # One load for the log-in page and one per submission; one field per existing figure.
    assert counts["submissions"] == 1 + 10 + 1 + 2
    assert counts["fields"] == 10 + 3
    assert counts["page loads"] == 1 + counts["submissions"]
    context.close()
