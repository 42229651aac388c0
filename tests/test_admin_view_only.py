"""Vera may view everything in the admin and change nothing.

Every admin address that accepts a POST is posted, as Vera, the data with which it writes for a
superuser (a change form as the page shows it, a past version to restore, a bulk action on every
row, a CSV file); nothing in the database may change.
"""

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from archive.csv_io.resources import RESOURCES
from archive.models import Article
from archive.vocabulary import Status

from .admin_forms import form_data
from .test_permission_matrix import ADMIN_PAGES, admin_url, database_rows, registered_model

WRITING_PAGES = {"add", "change", "delete", "simple_history", "changelist", "import", "process_import", "import_bundle"}
# Refused outright, before any form is read; a bulk action not allowed is only left out of the list.
FORBIDDEN = WRITING_PAGES - {"changelist"}
POSTED_PAGES = [(name, app, page) for name, app, page in ADMIN_PAGES if page in WRITING_PAGES]


@pytest.fixture
def vera(db):
    user = User.objects.create_user("vera", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(user)
    return client


def what_a_superuser_would_post(superuser_client, name, page, url):
    """Data with which the page writes: its own form as shown, or what its button sends."""
    model, _ = registered_model(name)
    if page in {"change", "simple_history"}:
        response = superuser_client.get(url)
        if "inline_admin_formsets" not in response.context:
            return {field.html_name: value for field in response.context["adminform"].form if (value := field.value())}
        return form_data(response)
    if page == "delete":
        return {"post": "yes"}
    if page == "changelist":
        pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
        action = "publish" if hasattr(model, "status") else "delete_selected"
        return {"action": action, "_selected_action": pks, "post": "yes"}
    if page == "import":
        exported = superuser_client.post(reverse(name.replace("_import", "_export")), {"format": "0"})
        upload = io.BytesIO(exported.content)
        upload.name = "rows.csv"
        return {"format": "0", "import_file": upload}
    if page == "import_bundle":
        exported = superuser_client.post(reverse(name.replace("_import_bundle", "_export")), {"format": "0"})
        upload = io.BytesIO(exported.content)
        upload.name = next(f"{kind}.csv" for kind, resource in RESOURCES.items() if resource._meta.model is model)
        return {"bundle_files": [upload]}
    return {}


def test_vera_changes_nothing_through_any_admin_page(vera, superuser_client, seed):
    assert len(POSTED_PAGES) >= 50
    for name, app, page in POSTED_PAGES:
        url = admin_url(name, app, page)
        data = what_a_superuser_would_post(superuser_client, name, page, url)
        before = database_rows()
        response = vera.post(url, data)
        assert database_rows() == before, f"POST {url} as a viewer changed the database"
        if page in FORBIDDEN:
            assert response.status_code == 403, f"POST {url} as a viewer answered {response.status_code}"


def test_vera_cannot_publish_a_draft_by_restoring_its_past_version(vera, superuser_client, seed):
    article = Article.objects.published().order_by("pk").first()
    published_version = article.history.order_by("history_id").last()
    article.status = Status.DRAFT
    article.save()
    url = reverse("admin:archive_article_simple_history", args=[article.pk, published_version.history_id])
    data = what_a_superuser_would_post(superuser_client, "admin:archive_article_simple_history", "simple_history", url)
    assert data["status"] == Status.PUBLISHED

    assert vera.post(url, data).status_code == 403
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT

    assert superuser_client.post(url, data).status_code == 302  # the same form restores it for an editor
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
