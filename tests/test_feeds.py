"""Atom feeds of what changes: each entry dated by the records' history, public data alone.

A reader follows the archive, an operation or a figure; editors publish, correct and withdraw.
"""

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from django.core.cache import cache

from archive import feeds
from archive.models import Article, Claim, Figure

from . import public_data as make

ATOM = "{http://www.w3.org/2005/Atom}"


def day(number):
    return datetime(2025, 3, number, 12, 0, tzinfo=UTC)


def saved_on(record, when, reason=None):
    """Saved as if on `when`: its history row carries that date."""
    record._history_date = when
    record._change_reason = reason
    record.save()
    return record


def new_article(body, when, status="published", source=None, title=None):
    return saved_on(
        Article(outlet=source or make.outlet(), title=title or f"Report of {when:%d %B}", body=body, status=status),
        when,
    )


def new_claim(article, figure, quote, value, when, status="published"):
    return saved_on(Claim(article=article, figure=figure, quote=quote, value=value, unit="t", status=status), when)


def read(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ElementTree.fromstring(response.content)


def entries(response):
    return [
        {
            "id": entry.find(f"{ATOM}id").text,
            "title": entry.find(f"{ATOM}title").text,
            "summary": entry.find(f"{ATOM}summary").text,
            "summary_type": entry.find(f"{ATOM}summary").get("type"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "updated": entry.find(f"{ATOM}updated").text,
            "kind": entry.find(f"{ATOM}category").get("term"),
        }
        for entry in read(response).iter(f"{ATOM}entry")
    ]


def of_kind(response, kind):
    return [entry for entry in entries(response) if entry["kind"] == kind]


@pytest.fixture
def dispute(db):
    """Waste seized in an operation: 1,500 t from one outlet on 2 March, 4,585 t from another on 4 March."""
    operation = make.operation()
    figure = make.figure(title="Waste seized in the test operation", within=operation)
    first = new_article("They seized 1,500 tons in all.", day(1), source=make.outlet("First Outlet"))
    new_claim(first, figure, "seized 1,500 tons", 1500, day(2))
    second = new_article("They seized 4,585 tons in all.", day(3), source=make.outlet("Second Outlet"))
    later = new_claim(second, figure, "seized 4,585 tons", 4585, day(4))
    figure.refresh_from_db()
    assert figure.status == "disputed"
    return figure, later


def test_a_figure_becomes_disputed_on_the_date_its_values_first_disagree(client, dispute):
    figure, _ = dispute
    for url in ("/feed.atom", f"{figure.operation.get_absolute_url().rstrip('/')}.atom"):
        [entry] = of_kind(client.get(url), "disputed")
        assert entry["updated"] == "2025-03-04T12:00:00+00:00"
        assert entry["title"] == "Disputed: Waste seized in the test operation"
        assert entry["summary"] == (
            "The sources&#x27; values disagree: First Outlet gives 1,500 tonnes; Second Outlet gives 4,585 tonnes."
        )
        assert entry["link"] == f"http://testserver{figure.get_absolute_url()}"


def test_a_figure_that_stays_disputed_does_not_become_disputed_again(client, dispute):
    figure, _ = dispute
    third = new_article("They seized 9,000 tons in all.", day(5), source=make.outlet("Third Outlet"))
    new_claim(third, figure, "seized 9,000 tons", 9000, day(6))
    [entry] = of_kind(client.get("/feed.atom"), "disputed")
    assert entry["updated"] == "2025-03-04T12:00:00+00:00"
    assert len(of_kind(client.get(f"/figures/{figure.slug}.atom"), "status")) == 2  # single, then disputed


def test_every_disputed_figure_of_the_seed_has_become_disputed_in_the_feed(client, seed):
    disputed = {f"http://testserver{figure.get_absolute_url()}" for figure in Figure.objects.filter(status="disputed")}
    assert {entry["link"] for entry in of_kind(client.get("/feed.atom"), "disputed")} == disputed


def test_a_withdrawn_value_is_an_entry_with_its_date_and_reason(client, dispute):
    figure, later = dispute
    later.status = "draft"
    saved_on(later, day(5), reason="the outlet corrected it")

    [entry] = of_kind(client.get("/feed.atom"), "withdrawn")
    assert entry["updated"] == "2025-03-05T12:00:00+00:00"
    assert entry["title"] == "Withdrawn: Second Outlet's 4,585 tonnes for Waste seized in the test operation"
    assert "The reason given: the outlet corrected it" in entry["summary"]
    assert entry["link"].endswith(f"{figure.get_absolute_url()}#value-history")
    # The figure's own feed: each value and each status, newest first.
    titles = [entry["title"] for entry in entries(client.get(f"/figures/{figure.slug}.atom"))]
    assert titles == [
        "Second Outlet: withdrawn (4,585 tonnes): the outlet corrected it",
        "Single source: Waste seized in the test operation",
        "Second Outlet: added as 4,585 tonnes",
        "Disputed: Waste seized in the test operation",
        "First Outlet: added as 1,500 tonnes",
        "Single source: Waste seized in the test operation",
    ]


def test_a_new_article_is_dated_by_its_first_publication_not_its_creation(client, db):
    article = new_article("A draft about 7 tons.", day(1), status="draft", title="Slow news")
    article.status = "published"
    saved_on(article, day(9))
    [entry] = of_kind(client.get("/feed.atom"), "article")
    assert entry["title"] == "New article: Slow news (Daily Example)"
    assert entry["updated"] == "2025-03-09T12:00:00+00:00"
    assert entry["id"] == f"tag:testserver,2026:article/article-{article.pk}/20250309T120000.000000Z"


def test_an_entry_keeps_its_id_and_date_whatever_changes_after_it(client, dispute):
    before = {entry["id"]: entry["updated"] for entry in entries(client.get("/feed.atom"))}
    new_article("Another report, of 12 tons.", day(20))
    after = {entry["id"]: entry["updated"] for entry in entries(client.get("/feed.atom"))}
    assert len(after) == len(before) + 1
    assert before.items() <= after.items()


def test_drafts_never_reach_a_feed(client, dispute):
    figure, _ = dispute
    hidden = new_article("Secretly, they seized 9,999 tons.", day(6), status="draft", title="Draft scoop")
    new_claim(hidden, figure, "seized 9,999 tons", 9999, day(7))
    shown = new_article("Openly, they seized 8,888 tons.", day(8), title="Published report")
    new_claim(shown, figure, "seized 8,888 tons", 8888, day(9), status="draft")
    unsourced = make.figure(title="Only a draft gives it a value", within=figure.operation)
    new_claim(shown, unsourced, "seized 8,888 tons", 8888, day(10), status="draft")

    for url in ("/feed.atom", f"/figures/{figure.slug}.atom", f"/operations/{figure.operation.slug}.atom"):
        text = client.get(url).content.decode()
        for secret in ("9,999", "8,888", "Draft scoop", unsourced.title):
            assert secret not in text, (url, secret)
    assert client.get(f"/figures/{unsourced.slug}.atom").status_code == 404


def test_titles_are_text_and_summaries_escaped_html_never_markup(client, db):
    title = 'Seized <b>"all"</b> & <script>alert(1)</script>'
    figure = make.figure(title=title, within=make.operation())
    article = new_article("<em>Body only</em>: they seized 3 tons.", day(1), title="<i>Headline</i>")
    new_claim(article, figure, "seized 3 tons", 3, day(2))

    response = client.get(f"/figures/{figure.slug}.atom")
    [value, status] = entries(response)
    assert status["title"] == f"Single source: {title}"  # Atom's text: shown as typed, never run
    assert status["summary_type"] == "html"
    assert "&lt;b&gt;&quot;all&quot;&lt;/b&gt; &amp; &lt;script&gt;" in status["summary"]
    assert "<script>" not in status["summary"] and "<b>" not in status["summary"]
    assert b"<script>" not in response.content
    site = client.get("/feed.atom").content.decode()
    assert "Body only" not in site and "&lt;i&gt;Headline" in site


def test_a_feed_keeps_the_kinds_asked_for_and_names_the_known_ones(client, dispute):
    figure, later = dispute
    later.status = "draft"
    saved_on(later, day(5))
    assert {entry["kind"] for entry in entries(client.get("/feed.atom?kind=withdrawn&kind=article"))} == {
        "withdrawn",
        "article",
    }
    refused = client.get("/feed.atom?kind=<b>gossip</b>")
    assert refused.status_code == 400
    assert refused["Content-Type"] == "text/plain; charset=utf-8"
    assert "“kind” must be one of disputed, misattribution, withdrawn, article" in refused.content.decode()
    assert client.get(f"/figures/{figure.slug}.atom?kind=status").status_code == 200
    assert client.get(f"/figures/{figure.slug}.atom?kind=withdrawn").status_code == 400


def test_a_misattribution_hint_is_one_entry_dated_by_its_figures_latest_change(client, seed):
    [entry] = [
        entry
        for entry in of_kind(client.get("/operations/thunderball-2019.atom"), "misattribution")
        if "Seizures made by China" in entry["title"]
    ]
    assert "/" not in entry["id"].split(":", 2)[2].removeprefix("misattribution/")
    assert entry["summary"].startswith(
        "Global Times gives 1,828 to General Administration of Customs of China; "
        "China Daily gives 1,828 to all participating countries: the same value"
    )
    latest = Claim.history.filter(
        figure__slug__in=["thunderball-2019-seizures-china", "thunderball-2019-cases-all-countries"]
    )
    assert datetime.fromisoformat(entry["updated"]) == latest.latest("history_date").history_date


def test_an_operation_feed_holds_its_own_figures_alone(client, seed):
    titles = " ".join(entry["title"] for entry in entries(client.get("/operations/demeter-v.atom")))
    assert "Demeter V" in titles and "Thunderball" not in titles


def test_an_empty_feed_is_dated_at_the_epoch_not_now(client, db):
    operation = make.operation()
    root = read(client.get(f"/operations/{operation.slug}.atom"))
    assert root.find(f"{ATOM}updated").text == "1970-01-01T00:00:00+00:00"
    assert client.get("/operations/no-such-operation.atom").status_code == 404


def test_the_site_wide_feed_reads_the_latest_claim_changes_and_is_complete_from_the_oldest(
    client, dispute, monkeypatch
):
    figure, later = dispute
    later.status = "draft"
    saved_on(later, day(5))
    monkeypatch.setattr(feeds, "LATEST_CHANGES", 1)
    assert [entry["kind"] for entry in entries(client.get("/feed.atom"))] == ["withdrawn"]


@pytest.mark.parametrize("url", ["/", "/operations/demeter-v/", "/figures/demeter-v-waste-seized-china-customs/"])
def test_pages_advertise_their_feeds(client, seed, url):
    page = client.get(url).content.decode()
    feeds_linked = [
        line.split('href="')[1].split('"')[0]
        for line in page.splitlines()
        if 'rel="alternate" type="application/atom+xml"' in line
    ]
    assert feeds_linked[0] == "/feed.atom"
    if url != "/":
        assert feeds_linked[1] == url.rstrip("/") + ".atom"
    for feed in feeds_linked:
        read(client.get(feed))


def grow(operation, rounds):
    """More disputes, withdrawals, hints and articles in `operation`, and more values on its first figure."""
    for round_ in rounds:
        first = operation.figures.order_by("pk").first()
        if first:
            quote = f"seized {500 + round_:,} tons"
            make.claim(make.article(f"Later they {quote}.", source=make.outlet("Later")), first, quote, 500 + round_)
        sources = [make.outlet(f"Outlet {round_}-{index}") for index in range(2)]
        figure = make.sourced_figure([100 + round_, 900 + round_], within=operation, sources=sources)
        withdrawn = figure.claims.get(value=100 + round_)
        withdrawn.status = "draft"
        withdrawn.save()
        elsewhere = make.figure(within=operation, of=make.organisation(f"Scope {round_}"))
        make.claim(
            make.article(f"They seized {900 + round_:,} in all.", source=make.outlet("Elsewhere")),
            elsewhere,
            f"seized {900 + round_:,} in all",
            900 + round_,
        )


# Each feed's queries, plus the data version every public address reads first.
FEEDS = {
    # the latest claim changes, the latest article changes, the figures they touched, the hints
    # with their figures, the hinted figures' claims, the claims' history, their articles'
    # history, the new articles among the changed ones.
    "/feed.atom": 9,
    # the operation, its figures' keys, then as the archive's: the latest changes of its claims
    # and of its articles, the figures they touched, the hints with their figures, the hinted
    # figures' claims, the claims' history, their articles' history, the new articles.
    "/operations/operation-growing.atom": 11,
    # the figure, its claims' history, their articles' history.
    "figure": 4,
}


@pytest.mark.parametrize(("url", "expected"), FEEDS.items())
def test_a_feed_costs_the_same_queries_however_many_entries_it_has(
    client, seed, django_assert_num_queries, url, expected
):
    operation = make.operation(name="Operation Growing")
    sizes = []
    for rounds in (range(1), range(1, 6)):
        grow(operation, rounds)
        if url == "figure":
            url = f"/figures/{operation.figures.order_by('pk').first().slug}.atom"
        cache.clear()
        with django_assert_num_queries(expected):
            sizes.append(len(entries(client.get(url))))
    assert sizes[1] > sizes[0] > 0


def test_a_cached_feed_costs_one_query_and_changes_with_the_data(client, dispute, django_assert_num_queries):
    figure, later = dispute
    client.get("/feed.atom")
    with django_assert_num_queries(1):
        client.get("/feed.atom")
    later.status = "draft"
    saved_on(later, day(5))
    assert of_kind(client.get("/feed.atom"), "withdrawn")


def test_an_operation_feed_reads_its_latest_changes_even_of_a_claim_moved_out_of_it(client, dispute, monkeypatch):
    figure, later = dispute
    other = make.figure(title="Timber seized in the test operation", within=figure.operation)
    third = new_article("They seized 12 tons of timber.", day(5), source=make.outlet("Third Outlet"))
    new_claim(third, other, "seized 12 tons", 12, day(5))
    later.figure = make.figure(title="Waste seized elsewhere", within=make.operation())
    saved_on(later, day(6), reason="another operation's figure")
    monkeypatch.setattr(feeds, "LATEST_CHANGES", 1)
    [entry] = entries(client.get(f"/operations/{figure.operation.slug}.atom"))
    assert (entry["kind"], entry["updated"]) == ("withdrawn", "2025-03-06T12:00:00+00:00")
    assert "The reason given: another operation&#x27;s figure" in entry["summary"]
