"""Who may do what in the admin.

Alice is an editor: she adds and changes archive content and never manages
users. Bob is staff without permissions: he sees no archive models. Sam is a
superuser and sees everything. An anonymous visitor sees no admin page at all.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from archive.models import Claim, Outlet

# Every archive model the admin shows: one registered later is covered without an edit here.
ARCHIVE_MODELS = [model for model in admin.site._registry if model._meta.app_label == "archive"]


def archive_urls():
    """The list, add, change and history page of every archive model, for its first row."""
    urls = []
    for model in ARCHIVE_MODELS:
        name = model._meta.model_name
        first = model.objects.order_by("pk").first()
        urls += [
            reverse(f"admin:archive_{name}_changelist"),
            reverse(f"admin:archive_{name}_add"),
            reverse(f"admin:archive_{name}_change", args=[first.pk]),
            reverse(f"admin:archive_{name}_history", args=[first.pk]),
        ]
    return urls


USER_ADMIN_URLS = ["admin:auth_user_changelist", "admin:auth_user_add", "admin:auth_group_changelist"]


def test_it_sends_anonymous_visitors_to_the_login_page_from_every_admin_page(client, seed, editor):
    urls = [
        reverse("admin:index"),
        reverse("admin:app_list", args=["archive"]),
        *archive_urls(),
        *(reverse(name) for name in USER_ADMIN_URLS),
        reverse("admin:auth_user_change", args=[editor.pk]),
        reverse("admin:autocomplete") + "?app_label=archive&model_name=claim&field_name=figure",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login") + "?next="), url


def test_it_lets_an_editor_open_every_archive_page(editor_client, seed):
    for url in archive_urls():
        assert editor_client.get(url).status_code == 200, url


def test_it_shows_an_editor_the_archive_and_not_the_users(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assert reverse("admin:archive_claim_changelist") in response.text
    assert reverse("admin:auth_user_changelist") not in response.text
    assert reverse("admin:auth_group_changelist") not in response.text


@pytest.mark.parametrize("url_name", USER_ADMIN_URLS)
def test_it_forbids_an_editor_to_manage_users(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_it_forbids_an_editor_to_add_a_user_or_promote_herself(editor_client, editor):
    response = editor_client.post(
        reverse("admin:auth_user_add"),
        {"username": "mallory", "password1": "a long passphrase 42", "password2": "a long passphrase 42"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="mallory").exists()
    response = editor_client.post(reverse("admin:auth_user_change", args=[editor.pk]), {"is_superuser": "on"})
    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_it_lets_an_editor_add_and_change_archive_content(editor_client):
    response = editor_client.post(
        reverse("admin:archive_outlet_add"),
        {
            "name": "Xinhua",
            "slug": "xinhua",
            "website": "https://www.xinhuanet.com/",
            "country": "China",
            "version": "1",
        },
    )
    assert response.status_code == 302
    outlet = Outlet.objects.get(slug="xinhua")
    response = editor_client.post(
        reverse("admin:archive_outlet_change", args=[outlet.pk]),
        {"name": "Xinhua News Agency", "slug": "xinhua", "website": "", "country": "China", "version": "1"},
    )
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.name == "Xinhua News Agency"


def test_it_shows_staff_without_permissions_no_archive_model(client, staff_without_permissions, seed):
    client.force_login(staff_without_permissions)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "/admin/archive/" not in index.text
    for url in archive_urls():
        assert client.get(url).status_code == 403, url


def test_it_shows_a_superuser_everything(superuser_client, seed):
    index = superuser_client.get(reverse("admin:index"))
    assert reverse("admin:auth_user_changelist") in index.text
    for model in ARCHIVE_MODELS:
        assert reverse(f"admin:archive_{model._meta.model_name}_changelist") in index.text
    for url in [*archive_urls(), *(reverse(name) for name in USER_ADMIN_URLS)]:
        assert superuser_client.get(url).status_code == 200, url


def test_only_those_who_may_change_a_record_may_restore_its_past_versions(
    client, editor, staff_without_permissions, seed
):
    claim = Claim.objects.order_by("pk").first()
    record = claim.history.earliest()
    url = reverse("admin:archive_claim_simple_history", args=[claim.pk, record.history_id])
    client.force_login(editor)
    assert client.get(url).status_code == 200
    assert client.post(url, {"quote": "anything"}).status_code == 200  # the form, with its errors
    client.force_login(staff_without_permissions)
    assert client.get(url).status_code == 403
    assert client.post(url, {"quote": "anything"}).status_code == 403
    assert Claim.objects.get(pk=claim.pk).version == claim.version
