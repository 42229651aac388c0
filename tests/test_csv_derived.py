"""The bulk refresh of figures after a claims import must leave them exactly as the model's
own `Figure.refresh_derived()` does, figure by figure."""

import random
from decimal import Decimal

import pytest
from django.db import transaction

from archive.csv.derived import Flags, Misattribution, notices, refresh_figures
from archive.models import Article, Claim, Figure, Operation, Organisation, Outlet
from archive.vocabulary import Bound, FigureStatus, Status

pytestmark = pytest.mark.django_db

MEASURES = {"cases": "count", "arrests": "count", "weight_seized": "t", "volume_seized": "m3"}


def derived_state():
    return (
        sorted(Figure.objects.values_list("pk", "status", "source_count", "published_claim_count")),
        sorted(Misattribution.objects.values_list("from_figure_id", "to_figure_id")),
    )


def random_archive(rng):
    """A small archive where values, outlets and organisations collide often."""
    outlets = Outlet.objects.bulk_create([Outlet(slug=f"o{i}", name=f"Outlet {i}") for i in range(3)])
    organisations = Organisation.objects.bulk_create([Organisation(slug=f"g{i}", name=f"Org {i}") for i in range(3)])
    operations = Operation.objects.bulk_create([Operation(slug=f"op{i}", name=f"Op {i}") for i in range(2)])
    articles = Article.objects.bulk_create(
        [
            Article(
                slug=f"a{i}",
                outlet=rng.choice(outlets),
                title=f"A{i}",
                body="x" * 100,
                status=rng.choice([Status.PUBLISHED] * 3 + [Status.DRAFT]),
            )
            for i in range(6)
        ]
    )
    figures = Figure.objects.bulk_create(
        [
            Figure(
                slug=f"f{i}",
                title=f"F{i}",
                measure=rng.choice(list(MEASURES)),
                organisation=rng.choice(organisations),
                operation=rng.choice([*operations, None]),
                status=rng.choice(FigureStatus.values),
            )
            for i in range(10)
        ]
    )
    claims = []
    for figure in figures:
        for position, article in enumerate(rng.sample(articles, rng.randrange(0, 5))):
            value = Decimal(rng.choice([10, 11, 12, 100, 1000]))
            claims.append(
                Claim(
                    article=article,
                    figure=figure,
                    value=value,
                    unit=MEASURES[figure.measure],
                    bound=rng.choice(Bound.values),
                    quote="q",
                    status=rng.choice([Status.PUBLISHED] * 3 + [Status.DRAFT]),
                    quote_start=position,
                    quote_end=position + 1,
                    value_start=position,
                    value_end=position + 1,
                    value_printed=str(value),
                    normalised_value=value,
                    normalised_precision=Decimal(rng.choice([1, 10])),
                )
            )
    Claim.objects.bulk_create(claims)
    # Stale hints, some right and some wrong, for the refresh to keep or remove.
    for _ in range(6):
        one, other = rng.sample(figures, 2)
        one.possible_misattributions.add(other)
    return figures


@pytest.mark.parametrize("seed", range(40))
def test_the_bulk_refresh_agrees_with_refreshing_each_figure(seed):
    rng = random.Random(seed)
    figures = random_archive(rng)
    chosen = rng.sample(figures, rng.randrange(1, len(figures) + 1))

    checkpoint = transaction.savepoint()
    refresh_figures([figure.pk for figure in chosen])
    bulk = derived_state()
    transaction.savepoint_rollback(checkpoint)
    for figure in chosen:
        figure.refresh_derived()

    assert bulk == derived_state()


def test_the_bulk_refresh_agrees_on_the_seed_data(seed):
    for figure in Figure.objects.all():
        figure.refresh_derived()
    expected = derived_state()
    Figure.objects.update(status=FigureStatus.UNSOURCED, source_count=0, published_claim_count=0)
    Misattribution.objects.all().delete()

    refresh_figures(Figure.objects.values_list("pk", flat=True))

    assert derived_state() == expected
    assert dict(Figure.objects.values_list("slug", "status"))["demeter-v-waste-seized-china-customs"] == "disputed"


def test_notices_name_the_figures_an_import_changed(seed):
    before = Flags.now()
    waste = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    Claim.objects.filter(figure=waste, article__slug__startswith="global-times").delete()

    assert notices(before, Flags.now()) == [
        "figure “Waste seized by China customs in Operation Demeter V, September 2019” "
        "(demeter-v-waste-seized-china-customs) is no longer disputed"
    ]
