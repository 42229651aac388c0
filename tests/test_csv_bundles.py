"""CSV bundles: several files of several kinds imported as one, in dependency order, all or
nothing, on the command line and in the admin; and rows that carry only the columns they change."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.csv_io import bundles
from archive.models import Article, Claim, Figure, Operation, Outlet

from .csv_support import CLAIMS_HEADER, KINDS, database_state, file_bytes, import_bundle, import_csv, run, zip_bytes

OUTLETS = [["slug", "name", "country"], ["xinhua", "Xinhua", "China"]]
OPERATIONS = [
    ["slug", "name", "aliases", "start_date", "end_date"],
    ["lionfish-2020", "Operation Lionfish", "Lionfish VI", "2020-03-01", "2020-03-31"],
]
BODY = "Police in 12 countries arrested 340 suspects in Operation Lionfish, INTERPOL said."
ARTICLES = [
    ["slug", "url", "outlet", "title", "published_on", "status", "body"],
    [
        "xinhua-lionfish",
        "https://example.org/lionfish",
        "Xinhua",
        "Police make arrests",
        "2020-04-02",
        "published",
        BODY,
    ],
]
FIGURES = [
    ["slug", "title", "operation", "organisation", "measure", "period_start", "period_end"],
    ["lionfish-2020-arrests", "Arrests in Operation Lionfish", "Lionfish VI", "INTERPOL", "arrests", "", ""],
    ["lionfish-2020-countries", "Countries in Operation Lionfish", "lionfish-2020", "INTERPOL",
     "participating_countries", "", ""],
]  # fmt: skip


def claim(figure, quote, value):
    cells = {"article": "xinhua-lionfish", "figure": figure, "quote": quote, "value": value, "unit": "count"}
    return [cells.get(column, "") for column in CLAIMS_HEADER[:-2]] + ["published", ""]


CLAIMS = [
    CLAIMS_HEADER,
    claim("lionfish-2020-countries", "Police in 12 countries", "12"),
    claim("lionfish-2020-arrests", "arrested 340 suspects", "340"),
]
# Every file refers to rows the files before it add; the names are given out of order on purpose.
BUNDLE = {
    "claims.csv": CLAIMS,
    "articles-2020.csv": ARTICLES,
    "figures.csv": FIGURES,
    "operations.csv": OPERATIONS,
    "outlets.csv": OUTLETS,
}
IMPORTED = [
    "  outlets.csv: outlets: 1 created, 0 updated, 0 unchanged",
    "  operations.csv: operations: 1 created, 0 updated, 0 unchanged",
    "  articles-2020.csv: articles: 1 created, 0 updated, 0 unchanged",
    "  figures.csv: figures: 2 created, 0 updated, 0 unchanged",
    "  claims.csv: claims: 2 created, 0 updated, 0 unchanged",
]


def with_bad_claim(files):
    bad = claim("lionfish-2020-arrests", "arrested 340 suspects", "34O")
    return {**files, "claims.csv": [*CLAIMS[:2], bad]}


def assert_bundle_imported():
    article = Article.objects.get(slug="xinhua-lionfish")
    assert article.outlet == Outlet.objects.get(slug="xinhua")
    assert Figure.objects.get(slug="lionfish-2020-arrests").operation == Operation.objects.get(slug="lionfish-2020")
    claims = Claim.objects.filter(article=article).order_by("quote_start")
    assert [(claim.figure.slug, claim.value) for claim in claims] == [
        ("lionfish-2020-countries", 12),
        ("lionfish-2020-arrests", 340),
    ]


# On the command line


def test_a_bundle_with_one_bad_row_in_its_last_file_writes_nothing_from_any_file(seed, tmp_path):
    before = database_state()

    result = import_bundle(tmp_path, with_bad_claim(BUNDLE))

    assert not result.ok
    assert result.problems == [
        "claims.csv, row 3, column value: '34O' is not a number: write digits only, with a point for decimals and "
        "no thousands separators or spaces (1500, 1.64, -23)"
    ]
    assert "Nothing was imported: 1 problem(s) in the bundle." in result.err
    assert database_state() == before


def test_the_same_bundle_fixed_imports_whole(seed, tmp_path):
    result = import_bundle(tmp_path, BUNDLE)

    assert result.ok, result.err
    assert result.out.splitlines()[:6] == ["Imported a bundle of 5 file(s), in this order:", *IMPORTED]
    assert_bundle_imported()


def test_a_bundle_that_refers_to_itself_dry_runs_clean_writes_nothing_then_imports(seed, tmp_path):
    before = database_state()

    dry_run = import_bundle(tmp_path, BUNDLE, "--dry-run")

    assert dry_run.ok, dry_run.err
    assert dry_run.out.splitlines()[:6] == [
        "Dry run, nothing written. a bundle of 5 file(s), in this order:",
        *IMPORTED,
    ]
    assert database_state() == before
    assert import_bundle(tmp_path, BUNDLE).ok
    assert_bundle_imported()


def test_a_zip_imports_as_its_files_would(seed, tmp_path):
    (tmp_path / "lionfish.zip").write_bytes(zip_bytes(BUNDLE))

    result = run("archive_import", str(tmp_path / "lionfish.zip"))

    assert result.ok, result.err
    assert result.out.splitlines()[1:6] == IMPORTED
    assert_bundle_imported()


def test_a_zip_with_a_bad_row_writes_nothing_either(seed, tmp_path):
    (tmp_path / "lionfish.zip").write_bytes(zip_bytes(with_bad_claim(BUNDLE)))
    before = database_state()

    result = run("archive_import", "--bundle", str(tmp_path / "lionfish.zip"))

    assert [problem.split(":")[0] for problem in result.problems] == ["claims.csv, row 3, column value"]
    assert database_state() == before


def test_a_file_whose_name_does_not_say_its_kind_is_told_by_its_header(seed, tmp_path):
    xinhua = [["name", "website"], ["Xinhua", "https://english.news.cn/"]]  # only outlets have a website
    files = {"xinhua.csv": xinhua, "lionfish.csv": ARTICLES, "new-operation.csv": OPERATIONS}

    result = import_bundle(tmp_path, files)

    assert result.ok, result.err
    assert result.out.splitlines()[1:4] == [
        "  xinhua.csv: outlets: 1 created, 0 updated, 0 unchanged",
        "  new-operation.csv: operations: 1 created, 0 updated, 0 unchanged",
        "  lionfish.csv: articles: 1 created, 0 updated, 0 unchanged",
    ]


def test_it_refuses_a_file_whose_kind_it_cannot_tell_by_name(seed, tmp_path):
    before = database_state()
    # slug and name fit outlets, organisations and people alike
    files = {"outlets.csv": OUTLETS, "names.csv": [["slug", "name"], ["x", "X"]], "notes.txt": "Lionfish"}

    result = import_bundle(tmp_path, files)

    assert result.problems == [
        "notes.txt: a bundle holds CSV files (.csv) and zips of them (.zip), nothing else",
        "names.csv: cannot tell which kind of rows this file holds, from its name or from its header: name it "
        f"after its kind ({', '.join(f'{kind}.csv' for kind in KINDS)}, or for instance articles-2019.csv)",
    ]
    assert database_state() == before


@pytest.mark.parametrize(
    ("member", "refusal"),
    [
        ("lionfish/outlets.csv", "“lionfish/outlets.csv” is in a folder"),
        ("../outlets.csv", "“../outlets.csv” is in a folder"),
        ("outlets.xlsx", "“outlets.xlsx” is not a CSV file: a bundle's zip holds only .csv files"),
    ],
)
def test_it_refuses_a_zip_with_folders_or_other_files(seed, tmp_path, member, refusal):
    (tmp_path / "bundle.zip").write_bytes(zip_bytes({member: OUTLETS}))
    before = database_state()

    result = run("archive_import", str(tmp_path / "bundle.zip"))

    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"bundle.zip: {refusal}")
    assert database_state() == before


def test_it_refuses_a_zip_that_unzips_to_too_much_or_holds_too_many_files(seed, tmp_path, monkeypatch):
    monkeypatch.setattr(bundles, "MAX_UNZIPPED_MB", 1)
    bomb = {"outlets.csv": "name\r\n" + "Xinhua\r\n" * (1024 * 1024 // 8 + 1)}  # 1 MB and a little more
    (tmp_path / "bomb.zip").write_bytes(zip_bytes(bomb))
    (tmp_path / "many.zip").write_bytes(zip_bytes({f"outlets-{index}.csv": OUTLETS for index in range(101)}))

    assert run("archive_import", str(tmp_path / "bomb.zip")).problems == [
        "bomb.zip: this zip's files come to 1.0 MB once unzipped; a bundle takes at most 1 MB here: import it in parts"
    ]
    assert run("archive_import", str(tmp_path / "many.zip")).problems == [
        "many.zip: this zip holds 101 files; a bundle holds at most 100: import it in parts"
    ]


def test_it_refuses_an_unknown_kind_and_says_how_to_import_a_bundle(db, tmp_path):
    result = run("archive_import", "stories", str(tmp_path / "stories.csv"))

    assert not result.ok
    assert (
        f"Unknown kind 'stories': choose one of {', '.join(KINDS)}, "
        "or import several files with --bundle FILE [FILE ...]."
    ) in result.err


def test_a_bundle_may_be_imported_only_by_a_user_who_may_change_every_kind_in_it(seed, tmp_path):
    vera = User.objects.create_user("vera", is_staff=True)
    vera.user_permissions.set(Permission.objects.filter(codename__in=["change_outlet", "change_article"]))
    before = database_state()

    result = import_bundle(tmp_path, BUNDLE, "--user", "vera")

    assert "vera may not change operations, so may not import them." in result.err
    assert database_state() == before


# Rows that carry only the columns they change


def test_a_row_with_slug_and_add_aliases_adds_an_alias_and_changes_nothing_else(seed, tmp_path):
    operation = Operation.objects.get(slug="demeter-v")
    before = database_state()

    result = import_csv(tmp_path, "operations", [["slug", "add_aliases"], ["demeter-v", "Demeter 5"]])

    assert result.ok, result.err
    assert result.out.splitlines()[0] == "Imported operations: 0 created, 1 updated, 0 unchanged."
    assert dict(operation.aliases.values_list("name", "note")) == {
        "Demeter 5": "",
        "Demeter V": "China Daily's short form.",
        "Operation Earth Goddess": "Global Times' name for it: Demeter is the Greek goddess of the earth's harvest.",
    }
    after = database_state()
    unchanged = {"version", "updated_at"}
    assert [
        {name: value for name, value in row.items() if name not in unchanged} for row in after["archive.Operation"]
    ] == [{name: value for name, value in row.items() if name not in unchanged} for row in before["archive.Operation"]]
    assert after["archive.Operation_coordinators"] == before["archive.Operation_coordinators"]


def test_adding_aliases_an_operation_has_changes_nothing_and_a_note_may_come_with_a_new_one(seed, tmp_path):
    header = ["slug", "add_aliases", "alias_notes"]
    row = ["demeter-v", "demeter v; Earth Goddess V", "Earth Goddess V: a wire's name."]

    result = import_csv(tmp_path, "operations", [header, row])

    assert result.ok, result.err
    aliases = dict(Operation.objects.get(slug="demeter-v").aliases.values_list("name", "note"))
    assert (aliases["Demeter V"], aliases["Earth Goddess V"]) == ("China Daily's short form.", "a wire's name.")
    assert len(aliases) == 3
    again = import_csv(tmp_path, "operations", [header, row])
    assert again.out.splitlines()[0] == "Imported operations: 0 created, 0 updated, 1 unchanged."


def test_an_added_alias_that_names_another_operation_is_refused(seed, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "operations", [["slug", "add_aliases"], ["demeter-v", "Operation Thunderball"]])

    assert result.problems == [
        "row 2, column add_aliases: 'Operation Thunderball' already names the operation thunderball-2019"
    ]
    assert database_state() == before


def test_a_row_that_would_create_an_operation_needs_its_columns(seed, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "operations", [["slug", "add_aliases"], ["lionfish-2020", "Lionfish VI"]])

    assert result.problems == [
        "row 2, column slug: no operation has the slug 'lionfish-2020', so this row would create an operation, and "
        "a new operation needs the columns name, start_date, end_date: add name, start_date, end_date to the file, "
        "or give the slug of an existing operation"
    ]
    assert database_state() == before


def test_a_file_has_either_aliases_or_add_aliases(seed, tmp_path):
    before = database_state()

    result = import_csv(tmp_path, "operations", [["slug", "aliases", "add_aliases"], ["demeter-v", "Demeter V", "D5"]])

    assert result.problems == [
        "row 1, column add_aliases: a file has either aliases (which replace an operation's aliases) or add_aliases "
        "(which add to them), not both: remove one of the two columns"
    ]
    assert database_state() == before


# In the admin


def bundle_url():
    return reverse("admin:archive_outlet_import_bundle")


def upload_bundle(client, files):
    uploads = [SimpleUploadedFile(name, content) for name, content in files.items()]
    return client.post(bundle_url(), {"bundle_files": uploads})


def csv_files(files):
    return {name: file_bytes(rows) for name, rows in files.items()}


def listed_problems(page):
    items = re.search(r'<ul class="errorlist">(.*?)</ul>', page, re.S)
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", items.group(1), re.S)]


def unescape(text):
    return text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")


def held(page):
    return dict(re.findall(r'name="(held_bundle)" value="([^"]*)"', page))


@pytest.mark.parametrize("form", ["several files", "a zip"])
def test_an_editor_previews_a_bundle_then_confirms_it(editor_client, editor, seed, form):
    files = csv_files(BUNDLE) if form == "several files" else {"lionfish.zip": zip_bytes(BUNDLE)}
    before = database_state()

    preview = upload_bundle(editor_client, files).content.decode()

    assert database_state() == before
    rows = re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>(\d+)</td>", preview)
    assert rows == [
        ("outlets.csv", "outlets", "1"),
        ("operations.csv", "operations", "1"),
        ("articles-2020.csv", "articles", "1"),
        ("figures.csv", "figures", "2"),
        ("claims.csv", "claims", "2"),
    ]
    assert "Confirm import" in preview
    done = editor_client.post(bundle_url(), held(preview), follow=True)
    assert done.redirect_chain == [(reverse("admin:app_list", args=["archive"]), 302)]
    assert "Imported claims.csv: claims: 2 created, 0 updated, 0 unchanged." in done.content.decode()
    assert_bundle_imported()
    assert Claim.objects.get(quote="arrested 340 suspects").history.get().history_user == editor


def test_the_admin_lists_a_bundles_problems_by_file_and_writes_nothing(editor_client, seed, tmp_path):
    before = database_state()
    files = with_bad_claim(BUNDLE)

    page = upload_bundle(editor_client, csv_files(files)).content.decode()

    assert "Nothing was imported: 1 problem" in page
    assert "Confirm import" not in page
    assert [unescape(problem) for problem in listed_problems(page)] == import_bundle(tmp_path, files).problems
    assert database_state() == before


def test_the_admin_refuses_a_zip_with_a_folder_and_a_bundle_over_the_upload_limit(editor_client, seed):
    folder = upload_bundle(editor_client, {"bundle.zip": zip_bytes({"data/outlets.csv": OUTLETS})}).content.decode()
    assert "bundle.zip: “data/outlets.csv” is in a folder" in folder

    big = {"outlets.csv": b"name\r\n" + b"x" * (4 * 1024 * 1024), "people.csv": b"name\r\n" + b"x" * (4 * 1024 * 1024)}
    page = upload_bundle(editor_client, big).content.decode()
    assert "These files come to 8.0 MB; the admin imports bundles of up to 8 MB." in page

    bomb = {"outlets.csv": "name\r\n" + "Xinhua\r\n" * (9 * 1024 * 1024 // 8)}
    page = upload_bundle(editor_client, {"bomb.zip": zip_bytes(bomb)}).content.decode()
    assert "bomb.zip: this zip&#x27;s files come to 9.0 MB once unzipped; a bundle takes at most 8 MB here" in page
    assert "python manage.py archive_import --bundle FILE [FILE ...]" in page
    assert "Confirm import" not in page


def test_confirming_a_bundle_twice_imports_it_once(editor_client, seed):
    preview = upload_bundle(editor_client, csv_files(BUNDLE)).content.decode()
    editor_client.post(bundle_url(), held(preview))

    again = editor_client.post(bundle_url(), held(preview), follow=True)

    assert "The bundle you previewed is no longer held" in again.content.decode()
    assert Outlet.objects.filter(slug="xinhua").count() == 1


def test_only_a_user_who_may_change_every_kind_of_a_bundle_may_import_it(client, seed):
    vera = User.objects.create_user("vera", is_staff=True)
    vera.user_permissions.set(Permission.objects.filter(codename__in=["change_outlet", "change_article"]))
    client.force_login(vera)
    before = database_state()

    assert client.get(bundle_url()).status_code == 200
    refused = upload_bundle(client, csv_files(BUNDLE))

    assert refused.status_code == 403
    assert (
        "You may not change operations, figures, claims, so you may not import operations.csv, figures.csv, "
        "claims.csv" in refused.content.decode()
    )
    assert database_state() == before
    allowed = upload_bundle(client, csv_files({"outlets.csv": OUTLETS}))
    assert "Confirm import" in allowed.content.decode()


def test_a_user_who_may_only_view_gets_no_bundle_page(client, seed):
    vera = User.objects.create_user("vera", is_staff=True)
    vera.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(vera)
    before = database_state()

    assert client.get(bundle_url()).status_code == 403
    assert upload_bundle(client, csv_files(BUNDLE)).status_code == 403
    assert database_state() == before


def test_each_import_page_links_to_the_bundle_page(editor_client, seed):
    page = editor_client.get(reverse("admin:archive_claim_import")).content.decode()

    assert f'href="{reverse("admin:archive_claim_import_bundle")}"' in page


# The session, the user, the user's own permissions and the group's: the page reads nothing else.
BUNDLE_PAGE_QUERIES = 4


def test_the_bundle_page_costs_a_fixed_number_of_queries(editor_client, seed, django_assert_num_queries):
    with django_assert_num_queries(BUNDLE_PAGE_QUERIES):
        response = editor_client.get(bundle_url())
    assert response.status_code == 200


def test_the_admin_sends_bundles_with_many_rows_of_row_by_row_kinds_to_the_command_line(
    editor_client, seed, monkeypatch
):
    monkeypatch.setattr("archive.csv_io.admin.MAX_ROW_BY_ROW_ROWS", 2)
    before = database_state()

    page = upload_bundle(editor_client, csv_files({**BUNDLE, "outlets.csv": [*OUTLETS, ["afp", "AFP", "France"]]}))

    assert [unescape(problem) for problem in listed_problems(page.content.decode())] == [
        "This bundle has 6 rows of kinds other than claims; the admin imports at most 2 of them at a time, each "
        "checked and saved on its own. Import it on the command line instead: python manage.py archive_import "
        "--bundle FILE [FILE ...]."
    ]
    assert database_state() == before
