"""Hostile query strings on every admin list, export and autocomplete: none answers 500.

An address the list cannot use is answered as Django's changelist answers it, by a redirect to
the list with `?e=1`; a search term's NUL characters, which PostgreSQL cannot compare, are dropped.
"""

from collections import Counter
from urllib.parse import urlencode

import pytest
from django.contrib.admin import site
from django.contrib.admin.views.main import ERROR_FLAG
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.admin import ArchiveAdmin
from archive.csv_io.resources import RESOURCES

from .csv_support import export_csv

pytestmark = pytest.mark.usefixtures("module_seed", "db")

EXPORTED = {resource._meta.model._meta.model_name: kind for kind, resource in RESOURCES.items()}


def admin_url(model_name, view):
    return reverse(f"admin:archive_{model_name}_{view}")


def export_form(model_name):
    """The export form's fields as the page posts them: CSV, every column ticked."""
    resource = RESOURCES[EXPORTED[model_name]]
    columns = {f"{resource.__name__.lower()}_{name}": "on" for name in resource._meta.export_order}
    return {"format": "0", "resource": "0", **columns}


def assert_refused_like_the_list(response, path):
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{path}?{ERROR_FLAG}=1"


def assert_refused_on_the_list(client, response, model_name):
    """An export the list's filters refuse goes back to the list, saying why nothing was exported."""
    assert_refused_like_the_list(response, admin_url(model_name, "changelist"))
    assert "Nothing was exported" in client.get(response["Location"]).text


@pytest.mark.parametrize("model_name", sorted(EXPORTED))
def test_it_exports_a_list_sorted_by_any_of_its_columns(superuser_client, model_name):
    path = admin_url(model_name, "export")
    columns = len(superuser_client.get(admin_url(model_name, "changelist")).context["cl"].list_display)
    for index in range(columns):
        assert superuser_client.get(f"{path}?o={index}").status_code == 200, index
        response = superuser_client.post(f"{path}?o=-{index}", export_form(model_name))
        assert response.status_code == 200, index
        assert response.content == export_csv(EXPORTED[model_name]).encode(), index


@pytest.mark.parametrize(
    "query", ["outlet__id__exact=abc", "published_on__year=0", "o=4&published_on__year=2019&published_on__month=13"]
)
def test_it_answers_an_export_with_an_invalid_filter_as_the_list_does(superuser_client, query):
    path = admin_url("article", "export")
    assert_refused_on_the_list(superuser_client, superuser_client.get(f"{path}?{query}"), "article")
    response = superuser_client.post(f"{path}?{query}", export_form("article"))
    assert_refused_on_the_list(superuser_client, response, "article")


def test_it_exports_nothing_for_a_filter_value_the_database_cannot_take(superuser_client):
    path = admin_url("claim", "export")
    response = superuser_client.post(f"{path}?status__exact=%00", export_form("claim"))
    if response.status_code == 200:  # SQLite compares a NUL like any other character
        assert response.content.decode().count("\n") == 1
    else:
        assert_refused_on_the_list(superuser_client, response, "claim")


@pytest.mark.parametrize(
    ("model_name", "query"),
    [
        ("claim", "status__exact=%00"),
        ("claim", "figure_status=%00"),
        ("article", "published_on__year=99999999999999999999"),
        ("article", "published_on__year=9999&published_on__month=12&published_on__day=31"),
    ],
)
def test_it_redirects_a_filter_value_the_database_cannot_take(superuser_client, model_name, query):
    path = admin_url(model_name, "changelist")
    response = superuser_client.get(f"{path}?{query}")
    if response.status_code == 200:  # SQLite compares a NUL like any other character
        assert not response.context["cl"].result_list
    else:
        assert_refused_like_the_list(response, path)


@pytest.mark.parametrize(
    "model", [model for model, model_admin in site._registry.items() if isinstance(model_admin, ArchiveAdmin)]
)
def test_it_searches_ignoring_nul_characters(rf, superuser, model):
    request = rf.get("/")
    request.user = superuser
    model_admin = site._registry[model]
    queryset = model_admin.get_queryset(request)
    found, _ = model_admin.get_search_results(request, queryset, "\x00")
    assert list(found) == list(queryset)


def test_it_autocompletes_ignoring_nul_characters(superuser_client):
    query = "app_label=archive&model_name=claim&field_name=figure&term=iv%00ory"
    response = superuser_client.get(f"{reverse('admin:autocomplete')}?{query}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


# The fuzz: every registered admin's list, export page and autocomplete fields, requested as Sam the
# superuser with query strings made of the admin's own parameters and unknown ones.

LISTS = sorted(site._registry, key=lambda model: model._meta.label)
EXPORTS = [model for model in LISTS if hasattr(site._registry[model], "export_action")]
AUTOCOMPLETES = [(model, name) for model in LISTS for name in site._registry[model].autocomplete_fields]

# Each example is one request; these counts keep the module to some thirty seconds per database.
examples = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
requests_made = Counter()

HOSTILE = [
    "\x00",
    "a\x00b",
    "",
    " ",
    "0",
    "1",
    "-1",
    "13",
    "32",
    "2019",
    "9999",
    "10000",
    "99999999999999999999",
    "-99999999999999999999",
    "1e400",
    "1.5",
    "nan",
    "abc",
    "True",
    "published",
    "disputed",
    "4.-1.2",
    "-0",
    "x" * 3000,
    "\u202e\u0301\U0001f600",
    "<script>alert(1)</script>",
]
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
value = st.one_of(
    st.sampled_from(HOSTILE),
    st.tuples(text, text).map("\x00".join),
    st.integers(-1, 40).map(str),
    st.integers().map(str),
    text,
)


def label(model):
    return model._meta.label_lower


def query_of(names):
    """One to four parameters, most of them the page's own, with hostile values."""
    own = st.tuples(st.sampled_from(names), value)
    unknown = st.tuples(st.text(max_size=8), value)
    return st.lists(st.one_of(own, own, own, unknown), min_size=1, max_size=4).map(dict)


def list_query(client, model):
    """Query strings of the list's own parameters as Django names them: each filter's lookups,
    the date hierarchy's, sort (by the list's columns), search, page, all rows, facets, the
    error flag; and unknown ones."""
    if model not in list_query.known:
        model_admin = site._registry[model]
        cl = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")).context["cl"]
        names = [name for spec in cl.filter_specs for name in spec.expected_parameters()]
        if model_admin.date_hierarchy:
            names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        list_query.known[model] = ([*names, "o", "q", "p", "all", "_facets", ERROR_FLAG], len(cl.list_display))
    names, columns = list_query.known[model]
    sort = st.lists(st.integers(-columns, columns), min_size=1, max_size=3).map(lambda order: ".".join(map(str, order)))
    sorted_or_not = st.one_of(st.just({}), sort.map(lambda order: {"o": order}))
    return st.tuples(sorted_or_not, query_of(names)).map(lambda pair: {**pair[0], **pair[1]})


list_query.known = {}


def request_answers(client, kind, path, query, form=None, refused_to=None):
    address = f"{path}?{urlencode(query)}"
    response = client.get(address) if form is None else client.post(address, form)
    requests_made[kind] += 1
    assert response.status_code < 500, (path, query)
    if response.status_code == 302:
        assert response["Location"].startswith(refused_to or path), response["Location"]


@pytest.fixture(scope="module", autouse=True)
def report_requests(request):
    yield
    if requests_made:
        plugins = request.config.pluginmanager
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(requests_made.items()))
        reporter = plugins.getplugin("terminalreporter")
        with plugins.getplugin("capturemanager").global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(f"admin fuzz: {requests_made.total()} requests ({kinds})")


@pytest.mark.parametrize("model", LISTS, ids=label)
@examples
@given(data=st.data())
def test_no_list_answers_500(superuser_client, model, data):
    query = data.draw(list_query(superuser_client, model))
    path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    request_answers(superuser_client, "list", path, query)


@pytest.mark.parametrize("model", EXPORTS, ids=label)
@examples
@given(data=st.data())
def test_no_export_answers_500(superuser_client, model, data):
    query = data.draw(list_query(superuser_client, model))
    path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    form = export_form(model._meta.model_name) if data.draw(st.booleans(), label="post") else None
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    request_answers(superuser_client, "export", path, query, form, refused_to=changelist)


@pytest.mark.parametrize(("model", "field_name"), AUTOCOMPLETES, ids=lambda item: getattr(item, "__name__", item))
@examples
@given(data=st.data())
def test_no_autocomplete_answers_500(superuser_client, model, field_name, data):
    source = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field_name}
    query = {**source, **data.draw(query_of(["term", "page", *source]))}
    request_answers(superuser_client, "autocomplete", reverse("admin:autocomplete"), query)
