"""CSV import and export in the admin: the same resources, checks and problem list as the
command line, permissions from the model's change and view permissions, a size limit."""

import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.module_loading import import_string

from archive.csv_io.admin import MAX_UPLOAD_MB
from archive.csv_io.resources import RESOURCES
from archive.models import Claim, Outlet

from .csv_support import (
    CHINA_DAILY,
    CLAIMS_HEADER,
    KINDS,
    SEVENTY_THREE,
    claim_row,
    csv_text,
    database_state,
    export_csv,
    import_csv,
)

pytestmark = pytest.mark.django_db

MODEL_NAMES = {kind: resource._meta.model._meta.model_name for kind, resource in RESOURCES.items()}


@pytest.fixture
def missing_claim(seed):
    Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"]).delete()
    return claim_row(value="73", **SEVENTY_THREE)


def url(kind, action):
    return reverse(f"admin:archive_{MODEL_NAMES[kind]}_{action}")


def upload(client, kind, content, name="upload.csv"):
    if isinstance(content, list):
        content = csv_text(content)
    if isinstance(content, str):
        content = content.encode()
    return client.post(url(kind, "import"), {"import_file": SimpleUploadedFile(name, content), "format": "0"})


def listed_problems(response):
    html = response.content.decode()
    items = re.search(r'<ul class="errorlist">(.*?)</ul>', html, re.S)
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", items.group(1), re.S)]


def unescape(text):
    return text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")


def export_response(client, kind):
    resource = RESOURCES[kind]
    fields = {f"{resource.__name__.lower()}_{name}": "on" for name in resource._meta.export_order}
    return client.post(url(kind, "export"), {"format": "0", "resource": "0", **fields})


def links_to(page, target):
    return re.search(rf"""href=["']{re.escape(target)}[?"']""", page) is not None


def user_with(*codenames):
    user = User.objects.create_user("vera", password="correct horse battery", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="archive", codename__in=codenames))
    return user


@pytest.mark.parametrize("kind", KINDS)
def test_an_editor_finds_import_and_export_on_every_list_page(editor_client, kind):
    page = editor_client.get(url(kind, "changelist")).content.decode()

    assert links_to(page, url(kind, "import"))
    assert links_to(page, url(kind, "export"))


def test_staff_without_permissions_may_neither_import_nor_export(client, staff_without_permissions):
    client.force_login(staff_without_permissions)

    assert client.get(url("claims", "import")).status_code == 403
    assert client.get(url("claims", "export")).status_code == 403


def test_a_user_who_may_only_view_may_export_but_not_import(client, seed):
    client.force_login(user_with("view_claim"))

    page = client.get(url("claims", "changelist")).content.decode()
    assert links_to(page, url("claims", "export"))
    assert not links_to(page, url("claims", "import"))
    assert client.get(url("claims", "import")).status_code == 403
    assert export_response(client, "claims").status_code == 200


def test_a_user_who_may_change_may_import(client, missing_claim):
    client.force_login(user_with("view_claim", "change_claim"))

    response = upload(client, "claims", [CLAIMS_HEADER, missing_claim])

    assert response.status_code == 200
    assert "Confirm import" in response.content.decode()


def test_an_import_is_previewed_then_confirmed_and_recorded_with_the_editor(editor_client, editor, missing_claim):
    before = database_state()

    preview = upload(editor_client, "claims", [CLAIMS_HEADER, missing_claim])

    page = preview.content.decode()
    assert "This import will create 1, update 0 and leave 0 unchanged" in page
    assert database_state() == before
    confirm = dict(re.findall(r'name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"', page))
    done = editor_client.post(url("claims", "process_import"), confirm, follow=True)

    assert "Import finished: claims: 1 created, 0 updated, 0 unchanged." in done.content.decode()
    claim = Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"])
    assert LogEntry.objects.get(object_id=str(claim.pk)).user == editor
    assert claim.history.get().history_user == editor


def test_the_other_kinds_record_the_editor_in_the_history_too(editor_client, editor, seed):
    page = upload(editor_client, "outlets", [["name", "country"], ["Xinhua", "China"]]).content.decode()
    confirm = dict(re.findall(r'name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"', page))

    editor_client.post(url("outlets", "process_import"), confirm)

    outlet = Outlet.objects.get(name="Xinhua")
    entry = LogEntry.objects.get(object_id=str(outlet.pk))
    assert (entry.user, entry.action_flag) == (editor, ADDITION)
    assert outlet.history.get().history_user == editor


def test_the_admin_lists_the_same_problems_as_the_command_line_before_anything_is_confirmed(
    editor_client, missing_claim, tmp_path
):
    before = database_state()
    bad_value = [*missing_claim]
    bad_value[CLAIMS_HEADER.index("value")] = "1,5OO"
    unknown = claim_row(figure="demeter-v-china-waste", quote="roughly 1,500 tons", value="1500", unit="t")
    rows = [CLAIMS_HEADER, bad_value, unknown, missing_claim, missing_claim]

    response = upload(editor_client, "claims", rows)

    page = response.content.decode()
    assert "Nothing was imported: 3 problems" in page
    assert "Confirm import" not in page
    assert [unescape(problem) for problem in listed_problems(response)] == import_csv(tmp_path, "claims", rows).problems
    assert database_state() == before


def test_the_admin_shows_a_file_it_cannot_read_as_a_form_error(editor_client, missing_claim):
    missing_claim[CLAIMS_HEADER.index("note")] = "Québec"

    response = upload(editor_client, "claims", csv_text([CLAIMS_HEADER, missing_claim]).encode("latin-1"))

    assert "The file is not UTF-8: byte 0xE9 on line 2" in response.content.decode()
    assert "Confirm import" not in response.content.decode()


def test_the_preview_says_which_figures_the_import_would_make_disputed(editor_client, seed):
    waste = "demeter-v-waste-seized-china-customs"
    Claim.objects.get(article__slug__startswith="global-times", figure__slug=waste).delete()
    quote = "seized 4,585 tons of smuggled waste"
    row = claim_row(article="global-times-2019-11-26-china-will-apply-5g-technology", figure=waste, quote=quote,
                    value="4585", unit="t")  # fmt: skip

    page = upload(editor_client, "claims", [CLAIMS_HEADER, row]).content.decode()

    assert "(demeter-v-waste-seized-china-customs) is now disputed" in page
    assert Claim.objects.filter(figure__slug=waste).count() == 1


def test_the_admin_refuses_an_upload_over_the_documented_size(editor_client, seed):
    assert MAX_UPLOAD_MB == 8
    assert "at most 8 MB" in editor_client.get(url("outlets", "import")).content.decode()
    content = b"name\r\n" + b"x" * (MAX_UPLOAD_MB * 1024 * 1024)

    response = upload(editor_client, "outlets", content)

    page = response.content.decode()
    assert "This file is 8.0 MB; the admin imports files of up to 8 MB." in page
    assert "python manage.py archive_import KIND FILE" in page


@pytest.mark.parametrize("kind", KINDS)
def test_the_admin_export_gives_the_same_bytes_as_the_command_line(editor_client, seed, kind):
    response = export_response(editor_client, kind)

    assert response["Content-Type"].startswith("text/csv")
    assert response.content == export_csv(kind).encode()


def test_export_text_from_the_archive_is_never_run_by_a_spreadsheet(editor_client, seed):
    Outlet.objects.create(slug="evil", name='=HYPERLINK("http://evil","x")')

    content = export_response(editor_client, "outlets").content.decode()

    assert '\r\nevil,"\'=HYPERLINK(""http://evil"",""x"")",,' in content


def test_the_admin_sends_long_files_of_row_by_row_kinds_to_the_command_line(editor_client, seed, monkeypatch, tmp_path):
    monkeypatch.setattr("archive.csv_io.admin.MAX_ROW_BY_ROW_ROWS", 2)
    rows = [["name"], ["Xinhua"], ["Reuters"], ["AFP"]]

    response = upload(editor_client, "outlets", rows)

    assert [unescape(problem) for problem in listed_problems(response)] == [
        "This file has 3 rows; the admin imports at most 2 outlets at a time, each checked and saved on its own. "
        "Import it on the command line instead: python manage.py archive_import outlets FILE."
    ]
    assert import_csv(tmp_path, "outlets", rows).ok


def confirm_form(page):
    return dict(re.findall(r'name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"', page))


@pytest.mark.parametrize(
    ("kind", "header"), [("outlets", ["name", "country"]), ("claims", CLAIMS_HEADER)], ids=["row by row", "claims"]
)
def test_the_admin_lists_rows_the_reader_refused_when_no_row_is_left(editor_client, seed, tmp_path, kind, header):
    rows = [header, ["one cell"], [*header, "one too many"]]

    response = upload(editor_client, kind, rows)

    assert "Nothing was imported: 2 problems" in response.content.decode()
    assert [unescape(problem) for problem in listed_problems(response)] == import_csv(tmp_path, kind, rows).problems


@pytest.mark.parametrize(
    ("kind", "header"), [("outlets", ["name", "country"]), ("claims", CLAIMS_HEADER)], ids=["row by row", "claims"]
)
def test_a_header_with_no_rows_imports_nothing_and_says_so(editor_client, seed, kind, header):
    before = database_state()

    preview = upload(editor_client, kind, [header]).content.decode()

    assert "This import will create 0, update 0 and leave 0 unchanged" in preview
    assert "The file has no rows: there is nothing to import." in preview
    done = editor_client.post(url(kind, "process_import"), confirm_form(preview), follow=True)
    assert f"Import finished: {kind}: 0 created, 0 updated, 0 unchanged." in done.content.decode()
    assert database_state() == before


TMP_STORAGES = ["import_export.tmp_storages.TempFolderStorage", "import_export.tmp_storages.CacheStorage"]
GONE = (
    "The file you previewed is no longer held: it was already imported or it expired; nothing was imported now. "
    "Upload it again."
)


@pytest.fixture(params=TMP_STORAGES, ids=["temp folder", "cache"])
def tmp_storage(request, settings):
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = request.param
    return import_string(request.param)


def test_confirming_an_import_twice_imports_it_once_and_says_why_not_twice(editor_client, seed, tmp_storage):
    preview = upload(editor_client, "outlets", [["name"], ["Xinhua"]]).content.decode()
    editor_client.post(url("outlets", "process_import"), confirm_form(preview))

    again = editor_client.post(url("outlets", "process_import"), confirm_form(preview), follow=True)

    assert again.redirect_chain == [(url("outlets", "import"), 302)]
    assert GONE in again.content.decode()
    assert Outlet.objects.filter(name="Xinhua").count() == 1


def test_confirming_an_import_whose_file_is_gone_imports_nothing_and_says_why(editor_client, seed, tmp_storage):
    preview = upload(editor_client, "outlets", [["name"], ["Xinhua"]]).content.decode()
    tmp_storage(name=confirm_form(preview)["import_file_name"]).remove()

    response = editor_client.post(url("outlets", "process_import"), confirm_form(preview), follow=True)

    assert response.redirect_chain == [(url("outlets", "import"), 302)]
    assert GONE in response.content.decode()
    assert not Outlet.objects.filter(name="Xinhua").exists()


def test_the_preview_marks_what_an_update_changes_with_classes_the_policy_allows(editor_client, seed):
    outlet = Outlet.objects.order_by("pk").first()

    page = upload(editor_client, "outlets", [["slug", "name", "country"], [outlet.slug, outlet.name, "Atlantis"]])

    html = page.content.decode()
    assert '<ins class="diff-insert">Atlantis</ins>' in html
    assert f'<del class="diff-delete">{outlet.country}</del>' in html
    assert "style=" not in html
