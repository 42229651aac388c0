"""The safety net under the change log: a detail page is kept across writes that do not touch
what it shows, so each write must reach every page it changes.

Every detail page of the seed is rendered (and cached), a write is made, and every page is asked
for again: a page served from the cache must be the page drawn afresh. The writes are every
column of a row of every table the public pages read changed in place, a row of each deleted and
created, and what editors and imports do besides (a claim saved and its figures derived again,
which makes hints appear and disappear, a claim imported). Raw updates are as good a test as
editors' saves: the triggers see rows, not forms."""

from datetime import date, datetime, timedelta
from importlib import import_module

import pytest
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.test import Client

from archive.derivation import Misattribution, refresh_figures
from archive.models import Claim, Figure
from archive.parts import flags_for

from .csv_support import CHINA_DAILY, CLAIMS_HEADER, SEVENTY_THREE, claim_row, import_csv
from .public_pages import detail_paths
from .test_data_version import public_tables

# The tables whose every write makes every detail page cold: those migration 0016 logs as `rare`,
# reading no column of their rows.
SCOPES = import_module("archive.migrations.0016_change_log").SCOPES
RARE = {table for table, (columns, _) in SCOPES.items() if not columns}


def public_models():
    return [model for _, model in sorted(public_tables().items())]


def first(model):
    return model._base_manager.order_by("pk").first()


def another_value(field, value):
    """A value of `field` other than `value`, of its type."""
    if field.is_relation:
        others = field.related_model._base_manager.exclude(pk=value).order_by("pk")
        return others.values_list("pk", flat=True).first()
    if field.choices:
        return next(choice for choice, _ in field.flatchoices if choice != value)
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, (models.CharField, models.TextField)):
        return f"{value or ''}-x"[-field.max_length :] if field.max_length else f"{value or ''} Edited."
    if isinstance(field, (models.IntegerField, models.DecimalField)):
        return (value or 0) + 1
    if isinstance(field, models.DateTimeField):
        return (value or datetime(2020, 1, 1)) + timedelta(days=1)
    if isinstance(field, models.DateField):
        return (value or date(2020, 1, 1)) + timedelta(days=1)
    raise NotImplementedError(f"no other value for {field!r}")


def column_update(model, field):
    def write():
        row = first(model)
        value = getattr(row, field.attname)
        model._base_manager.filter(pk=row.pk).update(**{field.attname: another_value(field, value)})

    return write


def row_deleted(model):
    return lambda: model._base_manager.filter(pk=first(model).pk).delete()


def row_created(model):
    """A copy of the first row, its text made new (a claim's under another figure, as its words
    must stay the article's); a link between records not linked yet (a misattribution link is
    added both ways, as the derivation adds it)."""

    def write():
        row = first(model)
        if model is Misattribution:
            links = Misattribution.objects.filter(from_figure=row.from_figure_id)
            linked = set(links.values_list("to_figure", flat=True))
            other = Figure.objects.exclude(pk__in=linked | {row.from_figure_id}).order_by("pk").first()
            Figure.objects.get(pk=row.from_figure_id).possible_misattributions.add(other)
            return
        row.pk = None
        row._state.adding = True
        if model is Claim:
            another_figure(row)
            row.save()
            return
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField) and not field.choices and getattr(row, field.attname):
                setattr(row, field.attname, f"{getattr(row, field.attname)}-copy"[-field.max_length :])
        # The record at the last end of a link, or the first not linked yet.
        links = [field for field in model._meta.concrete_fields if field.is_relation]
        others = links[-1].related_model._base_manager.values_list("pk", flat=True) if links else []
        for other in others:
            try:
                with transaction.atomic():
                    row.save()
                return
            except IntegrityError:
                setattr(row, links[-1].attname, other)
        row.save()

    return write


def claim_saved(change):
    """An editor's save of the first published claim with `change(claim)` made: its figures are
    derived again, their status, counts and hints."""

    def write():
        claim = Claim.objects.published().order_by("pk").first()
        change(claim)
        claim.save()

    return write


def claim_imported(tmp_path):
    Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"]).delete()
    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, claim_row(value="73", **SEVENTY_THREE)])
    assert result.ok, result.err


NUMBER = ["value", "value_high", "unit", "normalised_value", "normalised_high", "normalised_precision"]


def hint_changed(appears):
    """A claim given another claim's number (`appears`) or a number no source gives, as an import
    writes it, and its figure derived again, chosen so that a hint appears or disappears."""

    def hints():
        return Misattribution.objects.count()

    def write():
        before = hints()
        claims = Claim.objects.published().filter(figure__operation__isnull=False).order_by("pk")
        for claim in claims:
            for other in claims.exclude(figure=claim.figure_id) if appears else [None]:
                with transaction.atomic():
                    if other is None:
                        Claim.objects.filter(pk=claim.pk).update(value=987654321, normalised_value=987654321)
                    else:
                        Claim.objects.filter(pk=claim.pk).update(**{name: getattr(other, name) for name in NUMBER})
                    refresh_figures([claim.figure_id])
                    if (hints() > before) if appears else (hints() < before):
                        return
                    transaction.set_rollback(True)
        pytest.fail("no claim of the seed makes a hint appear or disappear")

    return write


def another_figure(claim):
    """A figure of the same measure, which the claim moves to."""
    others = Figure.objects.filter(measure=claim.figure.measure).exclude(pk=claim.figure_id)
    claim.figure = others.order_by("pk").first()


WRITES = {
    **{
        f"{model._meta.db_table}.{field.name} changed": column_update(model, field)
        for model in public_models()
        for field in model._meta.concrete_fields
        if not field.primary_key
    },
    **{f"{model._meta.db_table} row deleted": row_deleted(model) for model in public_models()},
    **{f"{model._meta.db_table} row created": row_created(model) for model in public_models()},
    "a hint appears as a claim takes another figure's number": hint_changed(appears=True),
    "a hint disappears as a claim takes a number no other source gives": hint_changed(appears=False),
    "a claim saved unpublished": claim_saved(lambda claim: setattr(claim, "status", "draft")),
    "a claim saved under another figure": claim_saved(another_figure),
    "a figure deleted with its claims": lambda: [
        Claim.objects.filter(figure=figure).delete() or figure.delete()
        for figure in [Figure.objects.exclude(status="unsourced").order_by("pk").first()]
    ],
    "a claim deleted": lambda: Claim.objects.published().order_by("pk").first().delete(),
    "a claim imported": claim_imported,
}


def ask(client, paths):
    """{path: (status, content, whether it was served from the cache)}."""
    answers = {}
    for path in paths:
        response = client.get(path)
        answers[path] = (response.status_code, response.content, response.context is None)
    return answers


@pytest.fixture(scope="module")
def warm(module_seed, django_db_blocker):
    """The detail paths, and the cache as it is once each is rendered: restored for each test,
    whose writes roll back to the same data version, rather than rendered again."""
    with django_db_blocker.unblock():
        cache.clear()
        paths = detail_paths()
        ask(Client(), paths)
    return paths, (cache._cache.copy(), cache._expire_info.copy())


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_no_detail_page_is_served_from_before_a_write(warm, db, client, tmp_path, write):
    paths, (entries, expiry) = warm
    cache._cache.update(entries)
    cache._expire_info.update(expiry)
    try:
        with transaction.atomic():
            write(tmp_path) if write is claim_imported else write()
    except (IntegrityError, ProtectedError, DatabaseError) as refused:
        pytest.skip(f"the database refuses the write: {refused}")

    served = ask(client, paths)
    cached = [path for path in paths if served[path][2]]
    cache.clear()
    fresh = ask(client, cached)

    assert [path for path in cached if served[path][:2] != fresh[path][:2]] == []
    if write_table(write) not in RARE:
        assert cached, "the write made every detail page cold"


def write_table(write):
    name = next(name for name, each in WRITES.items() if each is write)
    return name.split(".")[0].split(" ")[0]


def test_a_claim_edit_leaves_every_other_figure_page_warm(module_seed, db, client):
    """All but the pages of its figure and of the figures its hints link it to."""
    claim = Claim.objects.published().order_by("pk").first()
    linked = {claim.figure_id, *claim.figure.possible_misattributions.values_list("pk", flat=True)}
    figures = [figure for figure in Figure.objects.exclude(status="unsourced").order_by("pk")]
    ask(client, [figure.get_absolute_url() for figure in figures])

    Claim.objects.filter(pk=claim.pk).update(note="Checked against the source.")

    served = ask(client, [figure.get_absolute_url() for figure in figures])
    cold = {figure.pk for figure in figures if not served[figure.get_absolute_url()][2]}
    assert cold == linked & {figure.pk for figure in figures}


def test_a_figure_page_is_drawn_again_when_the_part_or_whole_it_flags_changes(module_seed, db, client):
    """A figure page flags its values against the figures of the part or whole an editor stated
    in its operation, with their titles and values: a change to those reaches it, hint or none."""
    # The seed's part and whole are also linked by a hint; a part of 300 cases, which the Global
    # Times gives, parts with it and leaves the flag alone.
    whole = Figure.objects.get(slug="demeter-v-cases-all-countries")
    part = Figure.objects.get(slug="demeter-v-cases-china-customs")
    part.claims.filter(article__slug__startswith="global-times").update(value=300, normalised_value=300)
    refresh_figures([whole.pk, part.pk])
    assert not part.possible_misattributions.exists()
    assert flags_for([part])[part.pk]
    url = part.get_absolute_url()

    for write in (
        lambda: Figure.objects.filter(pk=whole.pk).update(title="The whole, renamed"),
        lambda: whole.claims.filter(article__slug__startswith="china-daily").update(value=400, normalised_value=400),
    ):
        client.get(url)
        write()
        served = client.get(url).content
        cache.clear()
        assert served == client.get(url).content
