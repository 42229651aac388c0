"""Publishing and unpublishing from the article and claim lists.

A bulk update skips save(), so the action itself must recompute each affected
figure's derived status, once per figure, and keep the history and versions.
"""

from unittest import mock

import pytest
from django.urls import reverse

from archive.derivation import refresh_figures
from archive.models import Article, Claim, Figure
from tests.admin_forms import form_data

WASTE_SEIZED = "demeter-v-waste-seized-china-customs"


@pytest.fixture
def china_daily(seed):
    return Article.objects.get(outlet__slug="china-daily")


def run_action(client, model_name, action, objects):
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects]}
    if action == "unpublish":
        data["reason"] = "the outlet corrected its report"
    response = client.post(reverse(f"admin:archive_{model_name}_changelist"), data, follow=True)
    assert response.redirect_chain == [(reverse(f"admin:archive_{model_name}_changelist"), 302)]
    return [str(message) for message in response.context["messages"]]


def figure_status(slug):
    return Figure.objects.get(slug=slug).status


def test_it_unpublishes_articles_and_recomputes_their_figures(editor_client, china_daily):
    figures = Figure.objects.filter(claims__article=china_daily).distinct()
    with mock.patch("archive.admin.refresh_figures", wraps=refresh_figures) as refresh:
        messages = run_action(editor_client, "article", "unpublish", [china_daily])
    assert messages == [f"1 article unpublished; {figures.count()} figure(s) recomputed."]
    refresh.assert_called_once_with(sorted(figures.values_list("pk", flat=True)))
    china_daily.refresh_from_db()
    assert (china_daily.status, china_daily.version) == ("draft", 2)
    assert figure_status(WASTE_SEIZED) == "single"
    assert figure_status("china-customs-solid-waste-cases-jan-oct-2019") == "unsourced"
    hinted = Figure.objects.get(slug="demeter-v-cases-all-countries")
    assert not hinted.possible_misattributions.exists()


def test_it_publishes_articles_back_and_the_figures_follow(editor_client, china_daily):
    run_action(editor_client, "article", "unpublish", [china_daily])
    messages = run_action(editor_client, "article", "publish", [china_daily])
    assert messages[0].startswith("1 article published;")
    assert figure_status(WASTE_SEIZED) == "disputed"
    assert Figure.objects.get(slug="demeter-v-cases-all-countries").possible_misattributions.exists()


def test_it_records_who_published_and_how(editor_client, china_daily):
    run_action(editor_client, "article", "unpublish", [china_daily])
    latest = china_daily.history.first()
    assert (latest.status, latest.version, latest.history_user.username) == ("draft", 2, "alice")
    assert latest.history_change_reason == "the outlet corrected its report"


def test_it_says_so_when_nothing_needs_changing(editor_client, china_daily):
    messages = run_action(editor_client, "article", "publish", [china_daily])
    assert messages == ["No articles changed: they were all published already."]
    china_daily.refresh_from_db()
    assert china_daily.version == 1


def test_it_refreshes_a_figure_once_however_many_of_its_claims_change(editor_client, seed):
    claims = list(Claim.objects.filter(figure__slug=WASTE_SEIZED))
    assert len(claims) == 2
    with mock.patch("archive.admin.refresh_figures", wraps=refresh_figures) as refresh:
        messages = run_action(editor_client, "claim", "unpublish", claims)
    assert messages == ["2 claims unpublished; 1 figure(s) recomputed."]
    refresh.assert_called_once_with([claims[0].figure_id])
    assert figure_status(WASTE_SEIZED) == "unsourced"
    assert {claim.version for claim in Claim.objects.filter(figure__slug=WASTE_SEIZED)} == {2}


def test_it_publishes_only_the_selected_claims(editor_client, seed):
    claims = Claim.objects.filter(figure__slug=WASTE_SEIZED).order_by("pk")
    run_action(editor_client, "claim", "unpublish", claims)
    messages = run_action(editor_client, "claim", "publish", [claims[0]])
    assert messages == ["1 claim published; 1 figure(s) recomputed."]
    assert list(claims.values_list("status", flat=True)) == ["published", "draft"]
    assert figure_status(WASTE_SEIZED) == "single"


def test_it_offers_no_actions_to_staff_without_permissions(client, staff_without_permissions, china_daily):
    client.force_login(staff_without_permissions)
    response = client.post(
        reverse("admin:archive_article_changelist"), {"action": "unpublish", "_selected_action": [china_daily.pk]}
    )
    assert response.status_code == 403
    china_daily.refresh_from_db()
    assert china_daily.status == "published"


def test_it_deletes_selected_claims_and_recomputes_their_figure(editor_client, seed):
    selected = [str(pk) for pk in Claim.objects.filter(figure__slug=WASTE_SEIZED).values_list("pk", flat=True)]
    url = reverse("admin:archive_claim_changelist")
    confirmation = editor_client.post(url, {"action": "delete_selected", "_selected_action": selected})
    assert "Are you sure you want to delete the selected claims?" in confirmation.content.decode()
    deleting = {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
    response = editor_client.post(url, {**deleting, "reason": "entered under the wrong figure"})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk__in=selected).exists()
    assert figure_status(WASTE_SEIZED) == "unsourced"


def test_unpublishing_asks_why_and_changes_nothing_until_told(editor_client, china_daily):
    url = reverse("admin:archive_article_changelist")
    response = editor_client.post(url, {"action": "unpublish", "_selected_action": [china_daily.pk]})
    assert response.status_code == 200
    assert "Why are these articles unpublished?" in response.content.decode()
    response = editor_client.post(url, {"action": "unpublish", "_selected_action": [china_daily.pk], "reason": " "})
    assert "Say why: readers see the reason" in response.content.decode()
    china_daily.refresh_from_db()
    assert china_daily.status == "published"


def test_the_reason_for_unpublishing_is_shown_beside_each_withdrawn_value(editor_client, china_daily, client):
    run_action(editor_client, "article", "unpublish", [china_daily])
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    page = " ".join(client.get(figure.get_absolute_url()).content.decode().split())
    assert "China Daily, withdrawn (about 1,500 tonnes): the outlet corrected its report</li>" in page


def test_a_claim_unpublished_on_its_own_page_needs_a_reason(editor_client, seed):
    claim = Claim.objects.get(article__outlet__slug="china-daily", value=1237)
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    data = form_data(editor_client.get(url))
    data["status"] = "draft"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say why this value is unpublished" in response.content.decode()
    data["withdrawal_reason"] = "the outlet corrected its report"
    assert editor_client.post(url, data).status_code == 302
    assert claim.history.latest().history_change_reason == "the outlet corrected its report"
