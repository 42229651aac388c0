"""Editors see every record's history in the admin, restore past versions through the
usual checks, and never silently overwrite each other."""

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import F
from django.test import Client
from django.urls import reverse

from archive.admin import ClaimAdmin
from archive.models import Article, Claim

from .admin_forms import form_data

STALE = "after you opened it. Nothing you entered was saved"


@pytest.fixture
def claim(seed):
    return Claim.objects.get(value=1238)


@pytest.fixture
def second_editor_client(db):
    carol = User.objects.create_user("carol", password="correct horse battery", is_staff=True)
    carol.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(carol)
    return client


def change_url(record):
    return reverse(f"admin:archive_{record._meta.model_name}_change", args=[record.pk])


def restore_url(record, history_record):
    return reverse(
        f"admin:archive_{record._meta.model_name}_simple_history", args=[record.pk, history_record.history_id]
    )


def main_form_data(response):
    form = response.context["adminform"].form
    return {field.html_name: value for field in form if (value := field.value()) is not None}


def test_the_second_of_two_editors_saving_one_claim_is_told_and_overwrites_nothing(
    editor_client, second_editor_client, claim
):
    note_before = claim.note
    alices_page = form_data(editor_client.get(change_url(claim)))
    carols_page = form_data(second_editor_client.get(change_url(claim)))

    first = editor_client.post(change_url(claim), {**alices_page, "note": "Alice checked the GACC release."})
    second = second_editor_client.post(change_url(claim), {**carols_page, "note": "Carol's note."})

    assert first.status_code == 302
    assert second.status_code == 200
    assert "This claim was changed by alice at " in second.text
    assert STALE in second.text
    claim.refresh_from_db()
    assert claim.note == "Alice checked the GACC release."
    assert claim.version == 2
    assert [record.note for record in claim.history.all()[:2]] == ["Alice checked the GACC release.", note_before]


def test_a_save_that_loses_the_race_after_its_checks_is_rolled_back_and_explained(editor_client, claim, monkeypatch):
    page = form_data(editor_client.get(change_url(claim)))
    save_model = ClaimAdmin.save_model

    def save_after_a_rival(self, request, obj, form, change):
        Claim.objects.filter(pk=obj.pk).update(version=F("version") + 1)  # another save lands now
        save_model(self, request, obj, form, change)

    monkeypatch.setattr(ClaimAdmin, "save_model", save_after_a_rival)
    response = editor_client.post(change_url(claim), {**page, "note": "Lost in the race."}, follow=True)

    assert response.redirect_chain == [(change_url(claim), 302)]
    assert STALE in response.text
    claim.refresh_from_db()
    assert claim.note != "Lost in the race."
    assert claim.version == 1


def test_an_editor_restores_a_past_version_and_the_restore_is_recorded(editor_client, editor, claim):
    original_note = claim.note
    claim.note = "A note that turned out wrong."
    claim.save()
    first_version = claim.history.earliest()

    page = editor_client.get(restore_url(claim, first_version))
    assert page.status_code == 200
    assert "Revert" in page.text
    response = editor_client.post(restore_url(claim, first_version), main_form_data(page))

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.note, claim.version) == (original_note, 3)
    latest = claim.history.first()
    assert (latest.note, latest.history_user) == (original_note, editor)


def test_a_restore_from_a_page_opened_before_another_change_is_refused(editor_client, claim):
    claim.note = "Second version."
    claim.save()
    page = editor_client.get(restore_url(claim, claim.history.earliest()))
    claim.note = "Third version, saved by someone else meanwhile."
    claim.save()

    response = editor_client.post(restore_url(claim, claim.history.earliest()), main_form_data(page))

    assert response.status_code == 200
    assert STALE in response.text
    claim.refresh_from_db()
    assert claim.note == "Third version, saved by someone else meanwhile."


def test_a_restore_that_would_break_a_rule_is_refused_with_the_reason(editor_client, seed):
    article = Article.objects.get(slug__startswith="global-times")
    first_body = article.history.earliest()
    article.body += "\n\nA later update: customs seized 77 more parcels."
    article.save()
    claim = Claim.objects.filter(article=article).first()
    added = Claim.objects.create(
        article=article, figure=claim.figure, quote="seized 77 more parcels", value=77, unit="count"
    )
    page = editor_client.get(restore_url(article, first_body))

    response = editor_client.post(restore_url(article, first_body), main_form_data(page))

    assert response.status_code == 200
    assert f"This edit would remove the quoted text of 1 claim(s) from the body: claim {added.pk} (" in response.text
    article.refresh_from_db()
    assert "77 more parcels" in article.body
