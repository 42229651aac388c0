"""Withdrawing a published value asks why, on every path of the admin: deleting a published claim,
or an article with published claims, and unpublishing an article on its own page, as unpublishing
a claim does. The value stays in its figure's public history as withdrawn, with the reason. A row
of an article's page has no room to ask, so it neither deletes nor unpublishes a published claim."""

import pytest
from django.urls import reverse

from archive.models import Claim, Figure
from tests.admin_forms import form_data

REASON = "entered twice by mistake"


@pytest.fixture
def published(seed):
    return Claim.objects.get(article__outlet__slug="china-daily", value=1237)


def withdrawn_line(client, figure):
    page = " ".join(client.get(figure.get_absolute_url()).content.decode().split())
    return [line for line in page.split("<li>") if "withdrawn" in line]


def test_deleting_a_published_claim_asks_why_and_deletes_nothing_until_told(editor_client, published, client):
    url = reverse("admin:archive_claim_delete", args=[published.pk])
    assert "Reason:" in editor_client.get(url).content.decode()
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Say why: readers see the reason beside the withdrawn value." in response.content.decode()
    assert Claim.objects.filter(pk=published.pk).exists()
    editor_client.post(url, {"post": "yes", "reason": "  "})
    assert Claim.objects.filter(pk=published.pk).exists()
    figure = published.figure
    assert editor_client.post(url, {"post": "yes", "reason": REASON}).status_code == 302
    assert not Claim.objects.filter(pk=published.pk).exists()
    assert Claim.history.filter(id=published.pk, history_type="-").get().history_change_reason == REASON
    assert any(f"withdrawn (1,237 tonnes): {REASON}" in line for line in withdrawn_line(client, figure))


def test_a_draft_claim_is_deleted_without_a_reason(editor_client, published):
    Claim.objects.filter(pk=published.pk).update(status="draft")
    url = reverse("admin:archive_claim_delete", args=[published.pk])
    assert "Reason:" not in editor_client.get(url).content.decode()
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Claim.objects.filter(pk=published.pk).exists()


def test_the_delete_action_asks_why_when_a_published_claim_is_selected(editor_client, published, client):
    other = Claim.objects.get(article__outlet__slug="china-daily", value=444)
    url = reverse("admin:archive_claim_changelist")
    selected = {"action": "delete_selected", "_selected_action": [published.pk, other.pk]}
    response = editor_client.post(url, {**selected, "post": "yes", "reason": ""})
    assert response.status_code == 200
    assert "Say why: readers see the reason beside each withdrawn value." in response.content.decode()
    assert Claim.objects.filter(pk__in=[published.pk, other.pk]).count() == 2
    figure = published.figure
    response = editor_client.post(url, {**selected, "post": "yes", "reason": REASON})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk__in=[published.pk, other.pk]).exists()
    reasons = Claim.history.filter(id__in=[published.pk, other.pk], history_type="-").values_list(
        "history_change_reason", flat=True
    )
    assert list(reasons) == [REASON, REASON]
    assert any(f"withdrawn (1,237 tonnes): {REASON}" in line for line in withdrawn_line(client, figure))


def test_the_delete_action_needs_no_reason_for_drafts(editor_client, published):
    Claim.objects.filter(pk=published.pk).update(status="draft")
    url = reverse("admin:archive_claim_changelist")
    response = editor_client.post(url, {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk=published.pk).exists()


def inline_delete(editor_client, claim, field="DELETE", value="on"):
    url = reverse("admin:archive_article_change", args=[claim.article_id])
    data = form_data(editor_client.get(url))
    (prefix,) = [name[: -len("-id")] for name, value in data.items() if name.endswith("-id") and value == str(claim.pk)]
    data[f"{prefix}-{field}"] = value
    return editor_client.post(url, data)


def test_a_published_claim_is_not_deleted_from_its_articles_page(editor_client, published):
    response = inline_delete(editor_client, published)
    assert response.status_code == 200
    assert "is a published claim: unpublish or delete it from its own page or the claims list" in (
        response.content.decode()
    )
    assert Claim.objects.filter(pk=published.pk).exists()


def test_a_draft_claim_is_deleted_from_its_articles_page(editor_client, published):
    Claim.objects.filter(pk=published.pk).update(status="draft")
    Figure.objects.get(pk=published.figure_id).refresh_derived()
    assert inline_delete(editor_client, published).status_code == 302
    assert not Claim.objects.filter(pk=published.pk).exists()


def test_a_published_claim_is_not_unpublished_from_its_articles_page(editor_client, published):
    response = inline_delete(editor_client, published, field="status", value="draft")
    assert response.status_code == 200
    assert "is a published claim: unpublish or delete it from its own page" in response.content.decode()
    published.refresh_from_db()
    assert published.status == "published"


def test_deleting_an_article_with_published_claims_asks_why(editor_client, published, client):
    url = reverse("admin:archive_article_delete", args=[published.article_id])
    assert "This takes published values off the public pages" in editor_client.get(url).content.decode()
    response = editor_client.post(url, {"post": "yes"})
    assert "Say why: readers see the reason beside the withdrawn value." in response.content.decode()
    assert Claim.objects.filter(pk=published.pk).exists()
    figure = published.figure
    assert editor_client.post(url, {"post": "yes", "reason": REASON}).status_code == 302
    deleted = Claim.history.filter(article_id=published.article_id, history_type="-")
    assert deleted.count() == 11
    assert set(deleted.values_list("history_change_reason", flat=True)) == {REASON}
    assert any(f"withdrawn (1,237 tonnes): {REASON}" in line for line in withdrawn_line(client, figure))


def test_the_article_delete_action_asks_why(editor_client, published):
    url = reverse("admin:archive_article_changelist")
    selected = {"action": "delete_selected", "_selected_action": [published.article_id], "post": "yes"}
    response = editor_client.post(url, selected)
    assert response.status_code == 200
    assert "Say why: readers see the reason beside each withdrawn value." in response.content.decode()
    assert editor_client.post(url, {**selected, "reason": REASON}).status_code == 302
    assert not Claim.objects.filter(pk=published.pk).exists()


def test_unpublishing_an_article_on_its_own_page_asks_why(editor_client, published, client):
    url = reverse("admin:archive_article_change", args=[published.article_id])
    data = form_data(editor_client.get(url))
    data["status"] = "draft"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say why this article is unpublished" in response.content.decode()
    data["withdrawal_reason"] = REASON
    assert editor_client.post(url, data).status_code == 302
    page = " ".join(client.get(published.figure.get_absolute_url()).content.decode().split())
    assert f"withdrawn (1,237 tonnes): {REASON}" in page
