"""Every change is recorded, and no editor silently overwrites another."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from archive.models import Article, Claim, Figure, Outlet

from .csv_support import export_csv, import_csv


@pytest.fixture
def claim(seed):
    return Claim.objects.get(value=1238)


def test_it_records_the_previous_values_of_a_change(claim):
    claim.note = "Global Times rounds differently."
    claim.save()
    latest, previous = claim.history.all()[:2]
    assert latest.history_type == "~"
    assert (latest.note, previous.note) == ("Global Times rounds differently.", "")
    assert latest.diff_against(previous).changed_fields == ["note", "version"]


def test_it_records_creations_and_deletions(seed):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    article = Article.objects.get(slug="china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling")
    claim = Claim(
        article=article,
        figure=figure,
        quote="which seized roughly 1,500 tons",
        value=Decimal(1500),
        unit="t",
        bound="about",
    )
    claim.save()
    pk = claim.pk
    claim.delete()
    assert list(Claim.history.filter(id=pk).values_list("history_type", flat=True)) == ["-", "+"]


def test_a_save_from_a_stale_copy_is_refused_and_changes_nothing(claim):
    mine, theirs = Claim.objects.get(pk=claim.pk), Claim.objects.get(pk=claim.pk)
    theirs.note = "Their note."
    theirs.save()
    mine.note = "My note."
    with pytest.raises(ValidationError, match="was changed at .* after you opened it"):
        mine.save()
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("Their note.", 2)


def test_a_stale_copy_fails_validation_with_a_message_for_the_form(claim):
    mine = Claim.objects.get(pk=claim.pk)
    Claim.objects.get(pk=claim.pk).save()
    with pytest.raises(ValidationError) as refused:
        mine.full_clean()
    assert "Nothing you entered was saved" in refused.value.message_dict["__all__"][0]


def test_saves_in_turn_from_fresh_copies_all_land(claim):
    for note in ("one", "two", "three"):
        fresh = Claim.objects.get(pk=claim.pk)
        fresh.note = note
        fresh.save()
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("three", 4)


def test_the_seed_command_gives_every_record_its_first_version(db):
    from django.core.management import call_command

    call_command("load_seed", verbosity=0)
    assert Claim.history.count() == Claim.objects.count() == 24


def test_it_tells_readers_when_each_value_was_added_and_changed(seed):
    from archive.views.history import value_events

    figure = Figure.objects.get(slug="china-customs-endangered-species-weight-jan-oct-2019")
    claim = figure.claims.get(value=1238)
    claim.quote = "1,237 tons of endangered species"  # a correction: not in the body, refused
    with pytest.raises(ValidationError):
        claim.save()
    claim = figure.claims.get(value=1238)
    claim.status = "draft"
    claim.save()
    claim.status = "published"
    claim.save()

    events = value_events(figure)

    assert [event.describe() for event in events] == [
        "added as 1,237 tonnes",
        "added as 1,238 tonnes",
        "withdrawn (1,238 tonnes)",
        "published again as 1,238 tonnes",
    ]


@pytest.fixture
def corrected_claim(seed):
    """A claim first saved as 1,237 t, then corrected to about 1,238 t in the same article."""
    article = Article.objects.create(
        outlet=Outlet.objects.get(slug="global-times"),
        slug="correction",
        title="Correction",
        status="published",
        body="Customs first said it seized 1,237 tons. It later corrected that to about 1,238 tons.",
    )
    figure = Figure.objects.get(slug="china-customs-endangered-species-weight-jan-oct-2019")
    claim = Claim(article=article, figure=figure, quote="seized 1,237 tons", value=1237, unit="t", status="published")
    claim.save()
    claim.quote, claim.value, claim.bound = "corrected that to about 1,238 tons", Decimal(1238), "about"
    claim.save()
    return claim


def test_it_spells_out_a_changed_value(corrected_claim):
    from archive.views.history import value_events

    claim, figure = corrected_claim, corrected_claim.figure
    claim.note = "Not a change a reader needs to see."
    claim.save()

    events = [event.describe() for event in value_events(figure) if event.claim_id == claim.pk]

    assert events == ["added as 1,237 tonnes", "changed from 1,237 tonnes to about 1,238 tonnes"]


def test_a_deleted_value_stays_in_the_record_as_withdrawn_with_its_reason(seed):
    from archive.views.history import value_events

    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    claim = figure.claims.get(value=4585)
    claim._change_reason = "the outlet retracted the figure"
    claim.delete()
    events = value_events(figure)
    assert [event.describe() for event in events] == [
        "added as about 1,500 tonnes",
        "added as 4,585 tonnes",
        "withdrawn (4,585 tonnes): the outlet retracted the figure",
    ]
    assert events[-1].source == "Global Times"


def test_a_value_moved_to_another_figure_is_withdrawn_from_this_one(seed):
    from archive.views.history import value_events

    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    claim = figure.claims.get(value=4585)
    claim.figure = Figure.objects.get(slug="china-customs-solid-waste-weight-jan-oct-2019")
    claim.save()
    assert [event.describe() for event in value_events(figure)][-1] == "withdrawn (4,585 tonnes)"


def test_the_figure_page_shows_readers_each_correction_with_its_date(client, corrected_claim):
    claim, article, figure = corrected_claim, corrected_claim.article, corrected_claim.figure
    draft = Claim(article=article, figure=figure, quote="seized 1,237 tons", value=1237, unit="t", status="draft")
    draft.save()

    page = " ".join(client.get(figure.get_absolute_url()).content.decode().split())

    corrected_on = timezone.localtime(claim.history.latest().history_date).strftime("%-d %B %Y")
    assert f"{corrected_on}, " in page
    assert "changed from 1,237 tonnes to about 1,238 tonnes</li>" in page
    assert f'<a href="#claim-{claim.pk}">' in page
    assert f"#claim-{draft.pk}" not in page
    assert page.count("added as") == 3  # the two seed claims and the corrected one, never the draft


@pytest.fixture
def article(seed):
    """A draft reporting 500 tonnes, later 510: a claim in it moves from one to the other."""
    return Article.objects.create(
        outlet=Outlet.objects.get(slug="global-times"),
        slug="recount",
        title="Recount",
        body="Customs first said it seized 500 tons. A recount found 510 tons.",
    )


def claim_of(article, status="published"):
    figure = Figure.objects.get(slug="china-customs-endangered-species-weight-jan-oct-2019")
    claim = Claim(article=article, figure=figure, quote="seized 500 tons", value=500, unit="t", status=status)
    claim.save()
    return claim


def recount(claim):
    claim.quote, claim.value = "found 510 tons", Decimal(510)
    claim.save()


def set_status(record, status):
    record.status = status
    record.save()


def public_history(claim):
    from archive.views.history import value_events

    return [event.describe() for event in value_events(claim.figure) if event.claim_id == claim.pk]


def test_a_value_edited_while_its_article_was_a_draft_is_added_as_it_read_when_published(article):
    claim = claim_of(article)
    recount(claim)
    set_status(article, "published")
    assert public_history(claim) == ["added as 510 tonnes"]


def test_a_claim_is_added_when_published_in_an_article_published_before_it(article):
    set_status(article, "published")
    claim = claim_of(article, status="draft")
    recount(claim)
    set_status(claim, "published")
    assert public_history(claim) == ["added as 510 tonnes"]


def test_a_value_is_published_again_with_its_article(article):
    set_status(article, "published")
    claim = claim_of(article)
    set_status(article, "draft")
    set_status(article, "published")
    assert public_history(claim) == ["added as 500 tonnes", "withdrawn (500 tonnes)", "published again as 500 tonnes"]


def test_a_value_edited_while_its_article_was_unpublished_is_published_again_as_it_then_reads(article):
    set_status(article, "published")
    claim = claim_of(article)
    set_status(article, "draft")
    recount(claim)
    set_status(article, "published")
    assert public_history(claim) == ["added as 500 tonnes", "withdrawn (500 tonnes)", "published again as 510 tonnes"]


def test_a_value_is_added_when_its_article_is_published_from_the_article_list(editor_client, article):
    claim = claim_of(article)
    recount(claim)
    editor_client.post(
        reverse("admin:archive_article_changelist"), {"action": "publish", "_selected_action": [article.pk]}
    )
    assert public_history(claim) == ["added as 510 tonnes"]


def test_a_value_is_added_when_its_article_is_published_by_a_csv_import(article, tmp_path):
    claim = claim_of(article)
    recount(claim)
    header, *rows = csv.reader(io.StringIO(export_csv("articles")))
    recounted = next(row for row in rows if row[header.index("slug")] == "recount")
    recounted[header.index("status")] = "published"
    result = import_csv(tmp_path, "articles", [header, recounted])
    assert result.ok, result.err
    assert public_history(claim) == ["added as 510 tonnes"]
