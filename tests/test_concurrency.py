"""Two editors and an import at once end as some serial order of them would.

Each test runs real parallel connections to PostgreSQL (one per thread) on committed data,
then checks the figures' stored status, counts and hints against a recomputation from
scratch and every claim's quote against its article's body as committed. SQLite lets one
transaction write at a time, so there is nothing to race there.
"""

import io
import random
import threading
import time
from decimal import Decimal

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from archive import middleware
from archive.csv_io import claims as claims_import
from archive.csv_io.files import import_file
from archive.derivation import Misattribution, refresh_figures
from archive.locating import find_quote
from archive.models import Article, Claim, Figure, Operation, Organisation, Outlet, locked_articles
from archive.vocabulary import Status

from .admin_forms import form_data
from .csv_support import csv_text

pytestmark = [
    # Serialized, as every transactional test of the suite is: a flush without it makes the content
    # types again under new keys, which a later test's serialized rollback then collides with.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL's concurrent writers"),
]

FIGURES = 20
WAIT = 30  # seconds any one thread may take before the test gives up on it


def in_parallel(*tasks):
    """Run each task in a thread of its own (its own connection), started together; return
    what each returned or raised."""
    barrier = threading.Barrier(len(tasks))
    results = [None] * len(tasks)

    def run(index, task):
        try:
            barrier.wait(timeout=WAIT)
            results[index] = task()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, task)) for i, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "a thread was still waiting: a lock was never released"
    return results


def derived_state():
    return (
        sorted(Figure.objects.values_list("pk", "status", "source_count", "published_claim_count")),
        sorted(Misattribution.objects.values_list("from_figure_id", "to_figure_id")),
    )


def recomputed_state():
    with transaction.atomic():
        refresh_figures(Figure.objects.values_list("pk", flat=True))
        state = derived_state()
        transaction.set_rollback(True)
    return state


def misplaced_claims():
    """Claims whose stored position no longer holds their quote in the committed body."""
    return [
        claim.pk
        for claim in Claim.objects.select_related("article")
        if find_quote(claim.article.body[claim.quote_start : claim.quote_end], claim.quote) != (0, len(claim.quote))
    ]


def editor_client(name):
    # A flushed test database has lost the Editors group its migration made; a superuser
    # passes the same checks.
    user = User.objects.create_superuser(name)
    client = Client()
    client.force_login(user)
    return client


def sentence(i, value):
    return f"In round {i} officers counted {value} cases."


@pytest.fixture
def race_archive():
    """Two published articles from two outlets, each giving every one of 20 figures of one
    operation (two agencies) a value from a small set, so disputes and hints come and go."""
    rng = random.Random(10)
    operation = Operation.objects.create(slug="race", name="Operation Race")
    agencies = [Organisation.objects.create(slug=f"agency-{i}", name=f"Agency {i}") for i in range(2)]
    figures = [
        Figure.objects.create(
            slug=f"f{i}", title=f"Figure {i}", measure="cases", organisation=agencies[i % 2], operation=operation
        )
        for i in range(FIGURES)
    ]
    articles = {}
    for outlet_name in ("Daily A", "Daily B"):
        values = [rng.choice([10, 11, 12]) for _ in figures]
        article = Article.objects.create(
            outlet=Outlet.objects.create(name=outlet_name),
            title=f"{outlet_name} report",
            body=" ".join(sentence(i, value) for i, value in enumerate(values)),
            status=Status.PUBLISHED,
        )
        for i, (figure, value) in enumerate(zip(figures, values, strict=True)):
            Claim.objects.create(
                article=article,
                figure=figure,
                value=Decimal(value),
                unit="count",
                quote=sentence(i, value),
                status=Status.PUBLISHED,
            )
        articles[outlet_name] = article
    return articles


def publish(client, model, pks, action):
    response = client.post(
        reverse(f"admin:archive_{model}_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks], "reason": "a race test"},
    )
    assert response.status_code == 302, response.content[:500]


def test_it_keeps_figures_right_when_two_editors_publish_and_unpublish_claims_of_one_figure_at_once(race_archive):
    alice, carol = editor_client("alice"), editor_client("carol")
    claims_a = list(race_archive["Daily A"].claims.values_list("pk", flat=True))
    claims_b = list(race_archive["Daily B"].claims.values_list("pk", flat=True))
    for action in ["unpublish", "publish"] * 3:  # every claim changes every round
        in_parallel(
            lambda action=action: publish(alice, "claim", claims_a, action),
            lambda action=action: publish(carol, "claim", claims_b, action),
        )
        assert derived_state() == recomputed_state(), action


def test_it_keeps_figures_right_when_two_editors_publish_and_unpublish_articles_at_once(race_archive):
    alice, carol = editor_client("alice"), editor_client("carol")
    for action in ["unpublish", "publish"] * 3:
        in_parallel(
            lambda action=action: publish(alice, "article", [race_archive["Daily A"].pk], action),
            lambda action=action: publish(carol, "article", [race_archive["Daily B"].pk], action),
        )
        assert derived_state() == recomputed_state(), action


@pytest.fixture
def long_article():
    """A draft article of 300 sentences, and a figure its claims can state."""
    agency = Organisation.objects.create(slug="agency", name="Agency")
    figure = Figure.objects.create(slug="counted", title="Counted", measure="cases", organisation=agency)
    body = " ".join(sentence(i, 100 + i) for i in range(300))
    article = Article.objects.create(outlet=Outlet.objects.create(name="Daily A"), title="Long", body=body)
    return article, figure


def claims_file(article, figure, numbers):
    rows = [["article", "figure", "quote", "value", "unit", "bound", "status"]]
    rows += [
        [article.slug, figure.slug, sentence(i, 100 + i), str(100 + i), "count", "exact", "published"] for i in numbers
    ]
    return io.BytesIO(csv_text(rows).encode())


def test_an_article_edit_during_a_claims_import_never_orphans_a_quote(long_article, monkeypatch):
    article, figure = long_article
    monkeypatch.setattr(claims_import, "BATCH", 50)
    halfway, edit_started = threading.Event(), threading.Event()
    write = claims_import.ClaimImport.write

    def write_then_let_the_editor_in(self, *args, **kwargs):
        write(self, *args, **kwargs)
        if not halfway.is_set():
            halfway.set()
            edit_started.wait(WAIT)
            time.sleep(0.5)  # the editor's save reaches the article's lock, or commits without one

    monkeypatch.setattr(claims_import.ClaimImport, "write", write_then_let_the_editor_in)

    def edit():
        halfway.wait(WAIT)
        edited = Article.objects.get(pk=article.pk)
        edited.body = edited.body.replace(sentence(5, 105), "In round 5 officers counted several cases.")
        edit_started.set()
        try:
            edited.save()
        except ValidationError:
            return "refused"
        return "saved"

    report, outcome = in_parallel(lambda: import_file("claims", claims_file(article, figure, range(300))), edit)

    assert not isinstance(report, Exception), report
    assert misplaced_claims() == []
    if outcome == "saved":  # the edit went first: the import found sentence 5 gone and wrote nothing
        assert report.problems and Claim.objects.count() == 0
    else:  # the import went first: the edit would have removed a quote, so it was refused
        assert outcome == "refused" and not report.problems and Claim.objects.count() == 300
    assert derived_state() == recomputed_state()


def test_two_imports_at_once_end_as_one_after_the_other(long_article, monkeypatch):
    article, figure = long_article
    other = Article.objects.create(outlet=article.outlet, title="Copy", body=article.body, slug="copy")
    monkeypatch.setattr(claims_import, "BATCH", 50)

    def rows(first, second):
        return claims_file(first, figure, range(0, 200)).getvalue() + b"".join(
            claims_file(second, figure, range(100, 300)).getvalue().splitlines(keepends=True)[1:]
        )

    reports = in_parallel(
        lambda: import_file("claims", io.BytesIO(rows(article, other))),
        lambda: import_file("claims", io.BytesIO(rows(other, article))),
    )

    for report in reports:
        assert not isinstance(report, Exception), report
        assert not report.problems, report.problems
    assert sorted(report.created for report in reports) == [200, 400]  # the second finds 200 already there
    assert Claim.objects.count() == 600
    assert misplaced_claims() == []
    assert derived_state() == recomputed_state()


def test_an_editor_kept_waiting_by_an_import_is_told_within_seconds_and_nothing_is_saved(long_article, monkeypatch):
    article, _ = long_article
    monkeypatch.setattr(middleware, "LOCK_WAIT_SECONDS", 1)
    alice = editor_client("alice")
    url = reverse("admin:archive_article_change", args=[article.pk])
    data = {**form_data(alice.get(url)), "title": "Renamed while locked"}
    locked, done = threading.Event(), threading.Event()

    def hold_the_article():
        with transaction.atomic():
            list(locked_articles([article.pk]))
            locked.set()
            done.wait(WAIT)

    def save():
        locked.wait(WAIT)
        started = time.monotonic()
        try:
            return alice.post(url, data), time.monotonic() - started
        finally:
            done.set()

    _, (response, waited) = in_parallel(hold_the_article, save)

    assert response.status_code == 503
    assert "Nothing you submitted was saved" in response.text
    assert waited < 5
    assert Article.objects.get(pk=article.pk).title == "Long"


def test_a_page_cached_while_a_write_is_uncommitted_is_drawn_again_once_it_commits(race_archive):
    """A write's statements read where its rows show (a figure's operation) before it commits;
    a figure moved to another operation meanwhile must not leave that operation's page showing
    what came before the write."""
    figure = Figure.objects.get(slug="f0")
    claim = figure.claims.order_by("pk").first()
    elsewhere = Operation.objects.create(slug="elsewhere", name="Operation Elsewhere")
    url = elsewhere.get_absolute_url()
    client = Client()
    settings = connection.settings_dict
    writer = psycopg.connect(
        dbname=settings["NAME"], host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"]
    )
    try:
        writer.execute("UPDATE archive_claim SET value = 7777777, normalised_value = 7777777 WHERE id = %s", [claim.pk])
        Figure.objects.filter(pk=figure.pk).update(operation=elsewhere)  # committed while the write is not
        before = client.get(url).content  # drawn and cached without the write
        writer.commit()
    finally:
        writer.close()
    served = client.get(url).content
    cache.clear()
    drawn = client.get(url).content
    assert drawn != before
    assert served == drawn
