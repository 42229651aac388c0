"""Small factories for the public site's tests: real rows saved through the models' rules."""

import itertools
from datetime import date

from archive.models import Article, Claim, Figure, Operation, OperationAlias, Organisation, Outlet

_numbers = itertools.count(1)


def outlet(name="Daily Example"):
    return Outlet.objects.get_or_create(name=name)[0]


def organisation(name="Example Customs", short_name=""):
    return Organisation.objects.get_or_create(name=name, defaults={"short_name": short_name})[0]


def operation(name=None, aliases=(), **fields):
    made = Operation.objects.create(name=name or f"Operation Test {next(_numbers)}", **fields)
    for alias in aliases:
        OperationAlias.objects.create(operation=made, name=alias)
    return made


def article(body, source=None, status="published", published_on=date(2020, 1, 15), title=None, **fields):
    return Article.objects.create(
        outlet=source or outlet(),
        title=title or f"Test article {next(_numbers)}",
        body=body,
        status=status,
        published_on=published_on,
        **fields,
    )


def figure(title=None, measure="weight_seized", of=None, within=None, **fields):
    return Figure.objects.create(
        title=title or f"Test figure {next(_numbers)}",
        measure=measure,
        organisation=of or organisation(),
        operation=within,
        **fields,
    )


def claim(in_article, for_figure, quote, value, unit="t", bound="exact", status="published", **fields):
    return Claim.objects.create(
        article=in_article, figure=for_figure, quote=quote, value=value, unit=unit, bound=bound, status=status, **fields
    )


def sourced_figure(values, measure="weight_seized", unit="t", within=None, sources=None, title=None):
    """A figure with one published claim per value, each from its own published article."""
    made = figure(title=title, measure=measure, within=within)
    for index, value in enumerate(values):
        printed = f"{value:,}"
        quote = f"Officials said they seized {printed} in the test"
        source = sources[index] if sources else outlet(f"Outlet {index}")
        claim(article(f"Intro. {quote}. Outro.", source=source), made, quote, value, unit=unit)
    return made
