"""A figure's status, counts and possible-misattribution hints, as `refresh_figures()` derives
them from its published claims for a batch of figures at once.

Claims are written in bulk with their normalised values, as an import leaves them, so that
nothing but the refresh under test derives anything.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.derivation import Derived, Misattribution, refresh_figures
from archive.models import Article, Claim, Figure, Operation, Organisation, Outlet

pytestmark = pytest.mark.django_db

UNITS = {
    "cases": "count",
    "seizures": "count",
    "arrests": "count",
    "participating_countries": "count",
    "weight_seized": "t",
}


@pytest.fixture
def archive(db):
    """Two outlets, two organisations, one operation, and one published article per outlet."""
    outlets = Outlet.objects.bulk_create([Outlet(slug=f"outlet-{i}", name=f"Outlet {i}") for i in (1, 2)])
    Organisation.objects.bulk_create([Organisation(slug=f"org-{i}", name=f"Org {i}") for i in (1, 2)])
    Operation.objects.bulk_create([Operation(slug=f"op-{i}", name=f"Op {i}") for i in (1, 2)])
    Article.objects.bulk_create(
        [
            Article(slug=f"article-{i}", outlet=outlet, title=f"Article {i}", body="x" * 100, status="published")
            for i, outlet in enumerate([*outlets, outlets[0]], 1)
        ]
    )


def figure(slug, organisation="org-1", operation="op-1", measure="cases"):
    return Figure.objects.create(
        slug=slug,
        title=slug,
        measure=measure,
        organisation=Organisation.objects.get(slug=organisation),
        operation=Operation.objects.filter(slug=operation).first(),
    )


def claims(figure, *stated):
    """One claim per (article slug, value[, bound[, status[, precision]]]), each at its own place
    in the body."""
    for claim in stated:
        add_claim(figure, *claim)


def add_claim(figure, article, value, bound="exact", status="published", precision=1):
    position = Claim.objects.filter(figure=figure).count()
    factor = 1000 if figure.measure == "weight_seized" else 1
    Claim.objects.bulk_create(
        [
            Claim(
                article=Article.objects.get(slug=article),
                figure=figure,
                value=Decimal(value),
                unit=UNITS[figure.measure],
                bound=bound,
                status=status,
                quote="x",
                quote_start=position,
                quote_end=position + 1,
                value_start=position,
                value_end=position + 1,
                value_printed=str(value),
                normalised_value=Decimal(value) * factor,
                normalised_precision=Decimal(precision) * factor,
            )
        ]
    )


def links():
    return sorted(Misattribution.objects.values_list("from_figure__slug", "to_figure__slug"))


def stored(slug):
    return Derived(*Figure.objects.filter(slug=slug).values_list("status", "source_count", "published_claim_count")[0])


def test_it_derives_status_and_counts_from_published_claims_in_published_articles(archive):
    Article.objects.filter(slug="article-2").update(status="draft")
    counted = figure("counted")
    claims(counted, ("article-1", 100), ("article-1", 110, "about"), ("article-3", 105, "about"))
    claims(counted, ("article-1", 900, "exact", "draft"), ("article-2", 900))

    assert refresh_figures([counted.pk]) == {counted.pk: Derived("consistent", 2, 3)}
    assert stored("counted") == ("consistent", 2, 3)


@pytest.mark.parametrize(
    "values, status",
    [
        ((), "unsourced"),
        ((100,), "single"),
        ((100, 100), "consistent"),
        ((100, 101), "minor"),
        ((100, 200), "disputed"),
    ],
)
def test_it_gives_each_figure_the_status_rules_verdict(archive, values, status):
    stated = figure("stated")
    claims(stated, *((f"article-{i}", value) for i, value in enumerate(values, 1)))
    refresh_figures([stated.pk])
    assert stored("stated").status == status


def test_it_links_figures_of_one_operation_when_other_outlets_give_another_organisation_the_same_value(archive):
    china, world = figure("china"), figure("world", organisation="org-2", measure="seizures")
    claims(china, ("article-1", 100))
    claims(world, ("article-2", 100))
    refresh_figures([china.pk])
    assert links() == [("china", "world"), ("world", "china")]


def test_it_links_values_that_agree_once_each_is_widened_by_its_printed_precision(archive):
    china, world = (
        figure("china", measure="weight_seized"),
        figure("world", organisation="org-2", measure="weight_seized"),
    )
    claims(china, ("article-1", "4585"))
    claims(world, ("article-2", "4584.7", "exact", "published", "0.1"))
    refresh_figures([world.pk])
    assert links() == [("china", "world"), ("world", "china")]


@pytest.mark.parametrize(
    "value, precision",
    [
        pytest.param("4583.8", "0.1", id="just below the rounded range"),
        pytest.param("4595", "1", id="far apart"),
        pytest.param("4700", "100", id="a round number whose range falls short"),
    ],
)
def test_it_links_no_rounded_values_whose_ranges_do_not_meet(archive, value, precision):
    china, world = (
        figure("china", measure="weight_seized"),
        figure("world", organisation="org-2", measure="weight_seized"),
    )
    claims(china, ("article-1", "4585"))
    claims(world, ("article-2", value, "exact", "published", precision))
    refresh_figures([world.pk])
    assert links() == []


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"operation": "op-2"}, id="another operation"),
        pytest.param({"organisation": "org-1"}, id="the same organisation"),
        pytest.param({"measure": "weight_seized", "value": Decimal("0.1")}, id="another dimension"),
        pytest.param({"value": 103}, id="another value"),
        pytest.param({"measure": "arrests"}, id="a measure not comparable"),
        pytest.param({"article": "article-3"}, id="the same outlet"),
        pytest.param({"status": "draft"}, id="an unpublished claim"),
        pytest.param({"operation": None}, id="no operation"),
    ],
)
def test_it_links_no_figures_when_one_condition_fails(archive, other):
    china = figure("china")
    world = figure(
        "world",
        organisation=other.get("organisation", "org-2"),
        operation=other.get("operation", "op-1"),
        measure=other.get("measure", "cases"),
    )
    claims(china, ("article-1", 100))
    claims(
        world, (other.get("article", "article-2"), other.get("value", 100), "exact", other.get("status", "published"))
    )
    refresh_figures([china.pk, world.pk])
    assert links() == []


def test_it_links_when_any_two_claims_of_the_figures_come_from_different_outlets(archive):
    china, world = figure("china"), figure("world", organisation="org-2")
    claims(china, ("article-1", 100))
    claims(world, ("article-3", 100), ("article-2", 100))
    refresh_figures([world.pk])
    assert links() == [("china", "world"), ("world", "china")]


def test_a_figure_leaving_its_operation_loses_its_hints_both_ways(archive):
    china, world = figure("china"), figure("world", organisation="org-2")
    claims(china, ("article-1", 100))
    claims(world, ("article-2", 100))
    refresh_figures([china.pk])
    Figure.objects.filter(pk=world.pk).update(operation=None)

    refresh_figures([world.pk])

    assert links() == []


def test_it_leaves_the_hints_between_other_figures_alone(archive):
    china, world, former = figure("china"), figure("world", organisation="org-2"), figure("former")
    claims(china, ("article-1", 100))
    claims(world, ("article-2", 100))
    china.possible_misattributions.add(former)  # stale, as china and world's missing link

    refresh_figures([figure("other").pk])

    assert links() == [("china", "former"), ("former", "china")]


def test_it_refreshes_many_figures_in_as_many_queries_as_one(archive):
    figures = [figure(f"f{i}", organisation=f"org-{i % 2 + 1}") for i in range(20)]
    for i, each in enumerate(figures):
        claims(each, (f"article-{i % 2 + 1}", 100 + i % 3))

    def queries(batch):
        Figure.objects.update(status="unsourced", source_count=0, published_claim_count=0)
        Misattribution.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            refresh_figures([each.pk for each in batch])
        return len(context.captured_queries)

    # Locks (3), readings, figures, claims of their operations, their links, then one UPDATE
    # of the statuses and one INSERT of the links, within a savepoint (2): each figure is
    # "single" and f0 is linked to f3.
    assert queries(figures[:1]) == queries(figures) == 11
