"""Who may do what, page by page: every admin and public address, enumerated from the URLconf
and the admin registry, for every kind of visitor and every HTTP method.

Visitors: anonymous, Bob (staff without permissions), Alice (editor) and Sam (superuser).
Requests other than GET and HEAD carry no form data, so none of them may change anything,
whether the page refuses them or shows its form again with errors.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archive.models import Article

USERS = ["anonymous", "bob", "alice", "sam"]
METHODS = ["get", "head", "post", "put", "patch", "delete"]
READS = {"get", "head"}
# The sign-in and sign-out pages are how anyone becomes or stops being a visitor of the matrix.
SIGN_IN_AND_OUT = {"admin:login", "admin:logout"}
# The pages every registered model has, and those of models with CSV import and export (a
# bundle of files of several kinds is imported from any of them).
MODEL_PAGES = {"changelist", "add", "change", "delete", "history", "simple_history"}
CSV_PAGES = {"import", "process_import", "export", "import_bundle"}
# The admin's own pages, for any member of staff: what a GET with no parameters gives.
STAFF_PAGES = {
    "index": 200,
    "password_change": 200,
    "password_change_done": 200,
    "jsi18n": 200,
    "autocomplete": 403,  # names no field to complete
    "view_on_site": 302,  # to the record's public address
}
# Pages whose POST saves a form: with no data, the form comes back with its errors.
FORM_PAGES = {"add", "change", "simple_history", "password_change"}
# Who may open the pages of each app beyond the admin index.
MAY_OPEN = {"anonymous": set(), "bob": set(), "alice": {"archive"}, "sam": {"archive", "auth"}}


def named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}".strip(":"), pattern


def registered_model(name):
    """(model, page) for a model's admin URL name ("admin:archive_claim_change" -> Claim, "change")."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model, name.removeprefix(prefix)
    return None, name.removeprefix("admin:")


def enumerate_admin_pages():
    """(URL name, app label or None, page) for every named admin URL, and each app's index."""
    pages = []
    for name, _ in named_patterns(get_resolver().url_patterns):
        if not name.startswith("admin:") or name in SIGN_IN_AND_OUT or name == "admin:app_list":
            continue
        model, page = registered_model(name)
        pages.append((name, model._meta.app_label if model else None, page))
    for app in sorted({model._meta.app_label for model in admin.site._registry}):
        pages.append(("admin:app_list", app, "app_list"))
    return pages


def enumerate_public_pages():
    return [(name, pattern) for name, pattern in named_patterns(get_resolver().url_patterns) if "admin:" not in name]


ADMIN_PAGES = enumerate_admin_pages()
PUBLIC_PAGES = enumerate_public_pages()


def admin_url(name, app, page):
    if page == "app_list":
        return reverse(name, args=[app])
    if page == "view_on_site":
        article = Article.objects.order_by("pk").first()
        return reverse(name, args=[ContentType.objects.get_for_model(Article).pk, article.pk])
    model, _ = registered_model(name)
    if model is None:
        return reverse(name)
    instance = model._default_manager.order_by("pk").first()
    if page == "simple_history":
        return reverse(name, args=[instance.pk, instance.history.order_by("history_id").first().history_id])
    if page in {"change", "delete", "history", "password_change", "desk"}:
        return reverse(name, args=[instance.pk])
    return reverse(name)


def public_url(name, pattern):
    """The address of a page; a detail page for the first row its view shows the public."""
    if "slug" not in pattern.pattern.converters:
        return reverse(name)
    slug = pattern.callback.view_class.queryset.order_by("pk").values_list("slug", flat=True).first()
    return reverse(name, kwargs={"slug": slug})


def database_rows():
    """Every row of the archive's tables (history and link tables included), the accounts, their
    groups and permissions, and the admin log; read with plain SQL, as it runs for every request."""
    models = apps.get_models(include_auto_created=True)
    tables = sorted({model._meta.db_table for model in models if model._meta.app_label in {"archive", "auth", "admin"}})
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows[table] = cursor.fetchall()
    return rows


@pytest.fixture(scope="module")
def visitors(module_seed, django_db_blocker):
    """A signed-in session for each visitor, made once for the module (and rolled back with its seed)."""
    with django_db_blocker.unblock():
        alice = User.objects.create_user("alice", is_staff=True)
        alice.groups.add(Group.objects.get(name="Editors"))
        users = {
            "bob": User.objects.create_user("bob", is_staff=True),
            "alice": alice,
            "sam": User.objects.create_superuser("sam"),
        }
        sessions = {"anonymous": None}
        for name, user in users.items():
            client = Client()
            client.force_login(user)
            sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture(scope="module")
def module_client():
    """One client for the module: a new one loads the middleware again, which costs more than a request."""
    return Client()


@pytest.fixture
def visit(visitors, db, module_client):
    """Request `url` with `method` as `user`; no form data, the database compared before and after
    any request but a read."""
    client = module_client

    def visit(user, method, url):
        client.cookies.clear()
        if visitors[user]:
            client.cookies[settings.SESSION_COOKIE_NAME] = visitors[user]
        before = None if method in READS else database_rows()
        response = getattr(client, method)(url)
        if before is not None:
            assert database_rows() == before, f"{method.upper()} {url} as {user} changed the database"
        return response

    return visit


def test_the_matrix_covers_every_page():
    pages = {(app, page) for _, app, page in ADMIN_PAGES}
    for model, model_admin in admin.site._registry.items():
        app = model._meta.app_label
        expected = {"changelist", "add", "change", "delete", "history"}
        if app == "archive":
            expected |= {"simple_history"} | (CSV_PAGES if hasattr(model_admin, "import_form_class") else set())
        assert {(app, page) for page in expected} <= pages, model
    unknown = {page for app, page in pages if app is None and page not in STAFF_PAGES}
    assert not unknown, f"admin pages the matrix has no expectation for: {unknown}"
    assert len(ADMIN_PAGES) >= 80
    assert {name for name, _ in PUBLIC_PAGES} >= {"healthz", "archive:home", "archive:figure_csv", "archive:claim_json"}
    assert len(PUBLIC_PAGES) >= 13


def admin_expectation(user, app, page, method):
    """The status a visitor should get, or None where only "no error, no change" is asked."""
    if app is None:
        if page == "index" or method == "get":
            return STAFF_PAGES[page]
        return None
    if page == "process_import" and method != "post":
        return 405  # only the confirm form posts there, whoever asks
    if app not in MAY_OPEN[user]:
        return 404 if page == "app_list" else 403
    return 200


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("name", "app", "page"), ADMIN_PAGES, ids=[f"{n}-{a}" for n, a, _ in ADMIN_PAGES])
@pytest.mark.parametrize("user", USERS)
def test_admin_page(visit, user, name, app, page, method):
    url = admin_url(name, app, page)
    response = visit(user, method, url)
    if user == "anonymous":
        assert response.status_code in {302, 403, 405}
        if response.status_code == 302:
            assert response["Location"].startswith(f"{reverse('admin:login')}?next=")
        return
    expected = admin_expectation(user, app, page, method)
    if expected is None:
        assert response.status_code < 500
    else:
        assert response.status_code == expected
    if expected == 200 and method == "post" and page in FORM_PAGES:
        assert 'class="errornote"' in response.content.decode(), "an empty form is shown again with its errors"
    if page == "index" and method == "get":
        listed = response.content.decode()
        for other_app in ("archive", "auth"):
            assert (f"/admin/{other_app}/" in listed) == (other_app in MAY_OPEN[user]), other_app


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("name", "pattern"), PUBLIC_PAGES, ids=[name for name, _ in PUBLIC_PAGES])
@pytest.mark.parametrize("user", USERS)
def test_public_page(visit, user, name, pattern, method):
    response = visit(user, method, public_url(name, pattern))
    if method in READS:
        assert response.status_code == 200
    else:
        assert response.status_code == 405
        assert set(response["Allow"].replace(" ", "").split(",")) <= {"GET", "HEAD", "OPTIONS"}
