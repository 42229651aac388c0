"""Arbitrary and hostile input, generated: CSV files for every kind, on the command line and in
the admin, and the public lists' filter, search, sort and page parameters.

Whatever comes in, nothing crashes; a refused import leaves every table as it was and says
where the problem is; a parameter the lists cannot use gets a 400 naming it; and no input is
ever echoed as live HTML. Every example runs in a savepoint that is rolled back after it.
"""

import csv
import io
import re
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote, quote_from_bytes

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.views.generic import ListView
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.csv_io.resources import RESOURCES
from archive.csv_io.widgets import TextWidget
from archive.urls import urlpatterns
from archive.views.base import FilteredListView

from .csv_support import CHINA_DAILY, KINDS, database_state, export_csv, import_csv

pytestmark = pytest.mark.usefixtures("module_seed", "db")

# Each example is a whole import or request; these counts keep the module to seconds per database.
examples = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
examples_per_kind = hypothesis_settings(examples, max_examples=15)
examples_per_page = hypothesis_settings(examples, max_examples=25)

# Markup that would run if a page echoed it unescaped.
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'><svg/onload=alert(1)>"]
# Pieces that have broken CSV readers and databases before, and values the seed knows, so that
# some rows get past the references into the model's own checks.
PIECES = [
    "\x00",
    ",",
    '"',
    "'",
    "\r\n",
    "\r",
    "\n",
    ";",
    "=SUM(A1)",
    "'=1",
    "-23",
    "1,500",
    "1.64",
    "73",
    "2019-11-27",
    "2019-02-30",
    "t",
    "count",
    "exact",
    "about",
    "published",
    "draft",
    "government",
    "weight_seized",
    "China Daily",
    "GACC",
    "thunderball-2019",
    CHINA_DAILY,
    "thunderball-2019-cases-china-customs",
    "China customs contributed to 73 of those cases",
    "https://example.com/a",
    *MARKUP,
]
any_character = st.characters(exclude_categories=["Cs"])
cell = st.lists(st.one_of(st.text(any_character, max_size=12), st.sampled_from(PIECES)), max_size=4).map("".join)
# Text as a file may hold it: lone surrogates included, written as UTF-8 would write them.
any_text = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=[]), max_size=20), st.sampled_from(PIECES)), max_size=8
).map("".join)
lone_surrogate = st.characters(categories=["Cs"])
any_file = st.one_of(
    st.binary(max_size=300),
    any_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.sampled_from(KINDS).flatmap(
        lambda kind: st.lists(cell, max_size=12).map(
            lambda cells: (",".join(RESOURCES[kind].columns()) + "\r\n" + ",".join(cells)).encode("utf-8")
        )
    ),
)

PROBLEM = re.compile(r"row (?P<row>\d+)(?:, column (?P<column>[a-z_]+))?: \S")


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rows_of(kind):
    width = len(RESOURCES[kind].columns())
    return st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=3)


# The CSV import on the command line


@examples
@given(kind=st.sampled_from(KINDS), content=any_file)
def test_any_file_is_imported_or_refused_with_nothing_changed(tmp_path, kind, content):
    with rolled_back():
        before = database_state()
        result = import_csv(tmp_path, kind, content)
        if not result.ok:
            assert result.problems, result.err
            assert database_state() == before


@examples
@given(kind=st.sampled_from(KINDS), content=st.tuples(any_text, lone_surrogate, any_text).map("".join))
def test_a_file_that_is_not_utf8_is_refused_saying_where(tmp_path, kind, content):
    data = content.encode("utf-8", "surrogatepass")
    first_bad_byte = re.search(rb"\xed[\xa0-\xbf]", data).start()
    with rolled_back():
        before = database_state()
        result = import_csv(tmp_path, kind, data)
        assert not result.ok
        assert "is not UTF-8" in result.err
        assert f"(byte {first_bad_byte + 1:,} of the file)" in result.err
        assert database_state() == before


@pytest.mark.parametrize("kind", KINDS)
@examples_per_kind
@given(data=st.data())
def test_every_row_problem_names_its_row_and_a_column_of_the_file(tmp_path, kind, data):
    header = RESOURCES[kind].columns()
    rows = data.draw(rows_of(kind))
    with rolled_back():
        before = database_state()
        result = import_csv(tmp_path, kind, [header, *rows])
        if result.ok:
            return
        assert database_state() == before
        assert result.problems
        for problem in result.problems:
            place = PROBLEM.match(problem)
            assert place, problem
            assert 2 <= int(place["row"]) <= len(rows) + 1, problem
            assert place["column"] is None or place["column"] in header, problem
        for number, row in enumerate(rows, start=2):
            if any("\x00" in value for value in row):
                assert any(problem.startswith(f"row {number}") for problem in result.problems), number


@cache
def seed_rows(kind):
    """The seed's rows of a kind as its export writes them: a file that imports cleanly."""
    header, *rows = csv.reader(io.StringIO(export_csv(kind)))
    return header, rows


@pytest.mark.parametrize("kind", KINDS)
@examples_per_kind
@given(data=st.data())
def test_a_nul_anywhere_in_a_good_file_is_refused_saying_where(tmp_path, kind, data):
    """PostgreSQL cannot store a NUL in text: the import refuses it by row and column, before the database does."""
    header, rows = seed_rows(kind)
    rows = [list(row) for row in rows[:3]]
    number = data.draw(st.sampled_from(range(len(rows))))
    column = data.draw(st.sampled_from(range(len(header))))
    value = rows[number][column]
    position = data.draw(st.integers(0, len(value)))
    rows[number][column] = value[:position] + "\x00" + value[position:]
    with rolled_back():
        before = database_state()
        result = import_csv(tmp_path, kind, [header, *rows])
        assert not result.ok
        assert database_state() == before
        place = f"row {number + 2}, column {header[column]}: "
        found = [problem for problem in result.problems if problem.startswith(place)]
        assert found, result.err
        widgets = {field.column_name: field.widget for field in RESOURCES[kind].fields.values()}
        if isinstance(widgets[header[column]], TextWidget):
            assert f"contains a NUL character (byte 0) at position {position + 1}" in found[0]


# The CSV import in the admin


def model_name(kind):
    return RESOURCES[kind]._meta.model._meta.model_name


@examples
@given(kind=st.sampled_from(KINDS), content=any_file)
def test_the_admin_answers_any_upload_with_a_page_and_changes_nothing(editor_client, kind, content):
    with rolled_back():
        before = database_state()
        response = editor_client.post(
            reverse(f"admin:archive_{model_name(kind)}_import"),
            {"import_file": SimpleUploadedFile("upload.csv", content), "format": "0"},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert 'class="errorlist"' in page or "Confirm import" in page
        for markup in MARKUP:
            assert markup not in page
        assert database_state() == before


# The public lists' parameters

LISTS = [
    (f"archive:{pattern.name}", pattern.callback.view_class)
    for pattern in urlpatterns
    if issubclass(pattern.callback.view_class, ListView) and not pattern.pattern.converters
]
DETAILS = [f"archive:{pattern.name}" for pattern in urlpatterns if "slug" in pattern.pattern.converters]


def parameter_names(view_class):
    filters = list(view_class.filterset_class.base_filters) if issubclass(view_class, FilteredListView) else []
    return [*filters, "page"]


def choices_of(view_class, name):
    """The values a choice parameter accepts, or None for free text."""
    if not issubclass(view_class, FilteredListView):
        return None
    field = view_class.filterset_class.base_filters[name].field
    return {str(value) for value, _ in field.choices if value != ""} if hasattr(field, "choices") else None


hostile_value = st.one_of(
    st.sampled_from(MARKUP),
    st.lists(
        st.one_of(st.sampled_from([*PIECES, "\ud800", "\udfff"]), st.text(st.characters(exclude_categories=[]))),
        max_size=4,
    ).map("".join),
    st.sampled_from(["status", "title", "newest", "disputed", "count", "1", "2", "last", "0", "-1", "99999"]),
).map(lambda text: text.encode("utf-8", "surrogatepass"))


def query_of(view_class):
    known = st.sampled_from(parameter_names(view_class))
    return st.dictionaries(
        st.one_of(known, st.text(max_size=8)), st.one_of(hostile_value, st.binary(max_size=8)), max_size=4
    )


def received(value):
    """The value as the view reads it: Django decodes query strings with replacement characters."""
    return value.decode("utf-8", "replace")


@pytest.mark.parametrize(("name", "view_class"), LISTS, ids=[name for name, _ in LISTS])
@examples_per_page
@given(data=st.data())
def test_a_list_answers_any_parameters_without_error_or_live_markup(client, name, view_class, data):
    query = data.draw(query_of(view_class))
    path = reverse(name)
    address = f"{path}?" + "&".join(f"{quote(key)}={quote_from_bytes(value)}" for key, value in query.items())
    response = client.get(address)
    values = {key: received(value) for key, value in query.items()}
    if issubclass(view_class, FilteredListView) and any(value == "" for value in values.values()):
        assert response.status_code == 302
        assert response["Location"].startswith(path)
        return
    filters = parameter_names(view_class)[:-1]
    refused = {
        key
        for key, value in values.items()
        if key in filters
        and ("\x00" in value or (choices_of(view_class, key) is not None and value not in choices_of(view_class, key)))
    }
    body = b"".join(response.streaming_content) if response.streaming else response.content
    body = body.decode()
    if refused:
        assert response.status_code == 400
        assert any(f"“{key}”" in body for key in refused), body
    elif response.status_code in (400, 404):
        # A page that does not exist (404), or no page number at all (400).
        assert values.get("page", "1") not in {"1", "last"}
    else:
        assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        for value in values.values():
            for markup in MARKUP:
                if markup in value:
                    assert markup not in body
    else:
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", DETAILS)
@examples
@given(
    slug=st.text(st.characters(exclude_categories=[]), min_size=1).map(
        lambda text: text.encode("utf-8", "surrogatepass")
    )
)
def test_a_detail_page_of_anything_unknown_is_not_found(client, name, slug):
    prefix = reverse(name, kwargs={"slug": "x"}).removesuffix("x/")
    response = client.get(f"{prefix}{quote_from_bytes(slug, safe='')}/")
    assert response.status_code == 404
