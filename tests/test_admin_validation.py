"""Bad input in the admin gets a clear message on the same page and changes nothing.

Each case posts a real change form back, the way Alice's browser would, with one
thing wrong; the page comes back (200, not a redirect or a 500) naming the
problem, and every archive table, history included, is as it was.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from archive.models import Article, Claim, Figure, Operation, OperationAlias, Organisation, Outlet, Person
from tests.admin_forms import form_data, inline_prefix, inline_row

ARCHIVE_MODELS = [Outlet, Organisation, Person, Operation, OperationAlias, Article, Figure, Claim]


def snapshot():
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in ARCHIVE_MODELS}
    rows["history"] = [model.history.count() for model in ARCHIVE_MODELS]
    rows["misattributions"] = list(Figure.possible_misattributions.through.objects.order_by("pk").values())
    return rows


def assert_refused(client, url, data, message):
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before
    return response


@pytest.fixture
def china_daily(seed):
    return Article.objects.get(outlet__slug="china-daily")


@pytest.fixture
def waste_claim(seed):
    """China Daily: “which seized roughly 1,500 tons of waste.”"""
    return Claim.objects.get(figure__slug="demeter-v-waste-seized-china-customs", article__outlet__slug="china-daily")


def claim_page(client, claim):
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    return url, form_data(client.get(url))


# Each kind of wrong input the quote refuses, with the message that names the field at fault.
UNSUPPORTED = [
    ("quote", "which seized roughly 2,000 tons of waste", "This quote does not appear in the body of the article"),
    ("value", "1600", "The quote does not print 1,600: it prints “85”, “roughly 1,500”."),
    ("bound", "exact", "the bound should be “about”, not “exactly”."),
    ("unit", "count", "Count cannot measure “weight seized”; use kilograms, tonnes."),
    ("unit", "kg", "The quote prints “roughly 1,500 tons”: the unit should be tonnes, not kilograms."),
    ("value_high", "2000", "The quote prints “roughly 1,500”, not a range: leave the high value empty."),
]


@pytest.mark.parametrize(
    "field, value, message",
    [
        *UNSUPPORTED,
        ("unit", "teaspoons", "Select a valid choice. teaspoons is not one of the available choices."),
        ("quote", "", "This field is required."),
    ],
)
def test_it_refuses_a_claim_that_its_quote_does_not_support(editor_client, waste_claim, field, value, message):
    url, data = claim_page(editor_client, waste_claim)
    data[field] = value
    assert_refused(editor_client, url, data, message)


def test_it_refuses_a_quote_longer_than_the_limit(editor_client, waste_claim):
    url, data = claim_page(editor_client, waste_claim)
    data["quote"] = "roughly 1,500 tons of waste " * 100 + "and more"
    assert_refused(editor_client, url, data, "A quote is at most 2,000 characters; this one has 2,808.")


def test_it_refuses_a_new_claim_whose_quote_is_not_in_the_article(editor_client, waste_claim):
    url = reverse("admin:archive_claim_add")
    data = form_data(editor_client.get(url))
    data.update(
        article=str(waste_claim.article_id),
        figure=str(waste_claim.figure_id),
        quote="China customs seized 3,000 tons of waste",
        value="3000",
        unit="t",
        bound="exact",
    )
    assert_refused(editor_client, url, data, "This quote does not appear in the body of the article")


def claim_form(client, claim, where):
    """The page `where` that edits `claim` (the add page: a new claim like it), its posted data
    and the key of each claim field in that data."""
    if where == "add page":
        url = reverse("admin:archive_claim_add")
        data = form_data(client.get(url))
        data.update(article=str(claim.article_id), figure=str(claim.figure_id), status="draft", version="1")
        data.update(quote=claim.quote, value=str(claim.value), unit=claim.unit, bound=claim.bound)
        return url, data, lambda field: field
    if where == "change page":
        url, data = claim_page(client, claim)
        return url, data, lambda field: field
    parent = claim.article if where == "article inline" else claim.figure
    url = reverse(f"admin:archive_{parent._meta.model_name}_change", args=[parent.pk])
    response = client.get(url)
    data = form_data(response)
    prefix = inline_prefix(response, "claim")
    return url, data, lambda field: inline_row(data, prefix, field, claim.pk)


@pytest.mark.parametrize("where", ["add page", "article inline", "figure inline"])
@pytest.mark.parametrize("field, value, message", UNSUPPORTED)
def test_it_names_the_wrong_field_of_a_claim_on_every_form(editor_client, waste_claim, where, field, value, message):
    url, data, key = claim_form(editor_client, waste_claim, where)
    data[key(field)] = value
    assert_refused(editor_client, url, data, message)


def test_it_refuses_a_second_claim_of_the_same_figure_from_the_same_quote(editor_client, waste_claim):
    url = reverse("admin:archive_claim_add")
    data = form_data(editor_client.get(url))
    data.update(
        article=str(waste_claim.article_id),
        figure=str(waste_claim.figure_id),
        quote=waste_claim.quote,
        value="1500",
        unit="t",
        bound="about",
    )
    assert_refused(editor_client, url, data, f"Claim {waste_claim.pk} already states this figure from this same quote")


def test_it_refuses_a_save_from_a_page_someone_has_changed_since(editor_client, waste_claim):
    url, data = claim_page(editor_client, waste_claim)
    theirs = Claim.objects.get(pk=waste_claim.pk)
    theirs.note = "Checked against the WCO release."
    theirs.save()
    data["note"] = "My note."
    assert_refused(editor_client, url, data, "after you opened it. Nothing you entered was saved")
    waste_claim.refresh_from_db()
    assert waste_claim.note == "Checked against the WCO release."


def test_it_saves_a_good_claim_edit_and_refreshes_the_figure(editor_client, waste_claim):
    url, data = claim_page(editor_client, waste_claim)
    data.update(status="draft", withdrawal_reason="the outlet corrected its report")
    response = editor_client.post(url, data)
    assert response.status_code == 302
    waste_claim.refresh_from_db()
    assert (waste_claim.status, waste_claim.version) == ("draft", 2)
    assert waste_claim.figure.status == "single"
    assert waste_claim.history.first().history_user.username == "alice"


def article_page(client, article):
    url = reverse("admin:archive_article_change", args=[article.pk])
    response = client.get(url)
    return url, response, form_data(response)


def test_it_refuses_a_body_edit_that_would_orphan_claims(editor_client, china_daily, waste_claim):
    url, _, data = article_page(editor_client, china_daily)
    data["body"] = data["body"].replace("roughly 1,500 tons of waste", "an unknown amount of waste")
    response = assert_refused(
        editor_client, url, data, "This edit would remove the quoted text of 1 claim(s) from the body: "
    )
    assert f"claim {waste_claim.pk} (Waste seized by China customs" in response.content.decode()


def test_it_refuses_an_inline_claim_edit_and_keeps_the_article_as_it_was(editor_client, china_daily, waste_claim):
    url, response, data = article_page(editor_client, china_daily)
    data["title"] = "A new title"
    data[inline_row(data, inline_prefix(response, "claim"), "quote", waste_claim.pk)] = "seized 1,500 tons"
    assert_refused(editor_client, url, data, "This quote does not appear in the body of the article")


def test_it_checks_inline_claims_against_the_edited_body(editor_client, china_daily):
    url, response, data = article_page(editor_client, china_daily)
    data["body"] += "\nCustoms also seized 12 rare birds."
    prefix = inline_prefix(response, "claim")
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)
    ivory_pieces = Figure.objects.get(slug="thunderball-2019-ivory-pieces-china")
    data.update(
        {
            f"{prefix}-{row}-article": str(china_daily.pk),
            f"{prefix}-{row}-figure": str(ivory_pieces.pk),
            f"{prefix}-{row}-value": "12",
            f"{prefix}-{row}-unit": "count",
            f"{prefix}-{row}-bound": "exact",
            f"{prefix}-{row}-quote": "also seized 12 rare birds",
            f"{prefix}-{row}-status": "draft",
            f"{prefix}-{row}-version": "1",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302
    china_daily.refresh_from_db()
    claim = Claim.objects.get(article=china_daily, figure=ivory_pieces)
    assert china_daily.body[claim.value_start : claim.value_end] == "12"


def test_it_saves_an_article_page_whose_untouched_claim_someone_changed_since(editor_client, china_daily, waste_claim):
    url, _, data = article_page(editor_client, china_daily)
    theirs = Claim.objects.get(pk=waste_claim.pk)
    theirs.note = "Checked against the WCO release."
    theirs.save()
    data["byline"] = "Zhang Yangfei"
    assert editor_client.post(url, data).status_code == 302
    china_daily.refresh_from_db()
    waste_claim.refresh_from_db()
    assert (china_daily.byline, waste_claim.note, waste_claim.version) == (
        "Zhang Yangfei",
        "Checked against the WCO release.",
        2,
    )


def test_it_refuses_an_article_page_that_changes_a_claim_someone_changed_since(editor_client, china_daily, waste_claim):
    url, response, data = article_page(editor_client, china_daily)
    theirs = Claim.objects.get(pk=waste_claim.pk)
    theirs.note = "Checked against the WCO release."
    theirs.save()
    data["byline"] = "Zhang Yangfei"
    data[inline_row(data, inline_prefix(response, "claim"), "status", waste_claim.pk)] = "draft"
    assert_refused(editor_client, url, data, "This claim was changed at ")


def test_it_refuses_two_inline_rows_claiming_the_same_figure_from_the_same_quote(editor_client, china_daily):
    url, response, data = article_page(editor_client, china_daily)
    prefix = inline_prefix(response, "claim")
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 2)
    wood = Figure.objects.get(slug="thunderball-2019-cases-china-customs")
    for extra in (row, row + 1):
        data.update(
            {
                f"{prefix}-{extra}-article": str(china_daily.pk),
                f"{prefix}-{extra}-figure": str(wood.pk),
                f"{prefix}-{extra}-value": "73",
                f"{prefix}-{extra}-unit": "count",
                f"{prefix}-{extra}-bound": "exact",
                f"{prefix}-{extra}-quote": "contributed to 73 of those cases",
                f"{prefix}-{extra}-status": "draft",
                f"{prefix}-{extra}-version": "1",
            }
        )
    assert_refused(editor_client, url, data, f"Rows {row + 1} and {row + 2} both claim")


def test_it_names_the_article_that_already_has_an_address(editor_client, china_daily):
    global_times = Article.objects.get(outlet__slug="global-times")
    url, _, data = article_page(editor_client, global_times)
    data["url"] = china_daily.url
    assert_refused(editor_client, url, data, "Article “Customs to boost efforts to foil smuggling” already has this")


def test_it_moves_the_claims_with_a_body_edit_that_keeps_their_quotes(editor_client, china_daily, waste_claim):
    url, _, data = article_page(editor_client, china_daily)
    data["body"] = "Editor's note: saved from the website.\n" + data["body"]
    assert editor_client.post(url, data).status_code == 302
    moved = Claim.objects.get(pk=waste_claim.pk)
    assert moved.quote_start == waste_claim.quote_start + len("Editor's note: saved from the website.\n")
    china_daily.refresh_from_db()
    assert china_daily.body[moved.value_start : moved.value_end] == "1,500"


def test_it_fixes_a_typo_in_the_body_and_in_the_quotes_that_print_it_in_one_save(
    editor_client, china_daily, waste_claim
):
    url, response, data = article_page(editor_client, china_daily)
    data["body"] = data["body"].replace("roughly 1,500 tons of waste", "roughly 1,500 tonnes of waste")
    quote = inline_row(data, inline_prefix(response, "claim"), "quote", waste_claim.pk)
    data[quote] = data[quote].replace("tons", "tonnes")

    assert editor_client.post(url, data).status_code == 302

    fixed = Claim.objects.get(pk=waste_claim.pk)
    china_daily.refresh_from_db()
    assert "1,500 tonnes of waste" in fixed.quote
    assert china_daily.body[fixed.quote_start : fixed.quote_end] == fixed.quote
    assert china_daily.body[fixed.value_start : fixed.value_end] == "1,500"


def test_it_saves_nothing_of_a_body_fix_whose_quote_fix_is_wrong(editor_client, china_daily, waste_claim):
    url, response, data = article_page(editor_client, china_daily)
    data["body"] = data["body"].replace("roughly 1,500 tons of waste", "roughly 1,500 tonnes of waste")
    quote = inline_row(data, inline_prefix(response, "claim"), "quote", waste_claim.pk)
    data[quote] = data[quote].replace("tons", "tones")
    assert_refused(editor_client, url, data, "This quote does not appear in the body of the article")


def figure_page(client, figure):
    url = reverse("admin:archive_figure_change", args=[figure.pk])
    response = client.get(url)
    return url, response, form_data(response)


def test_it_refuses_a_measure_its_claims_cannot_be_in(editor_client, seed):
    figure = Figure.objects.get(slug="demeter-v-cases-china-customs")
    url, _, data = figure_page(editor_client, figure)
    data["measure"] = "weight_seized"
    assert_refused(editor_client, url, data, "which cannot measure weight seized.")


def test_it_refuses_a_period_that_ends_before_it_starts(editor_client, seed):
    figure = Figure.objects.get(slug="demeter-v-cases-china-customs")
    url, _, data = figure_page(editor_client, figure)
    data["period_end"] = "2019-08-01"
    assert_refused(editor_client, url, data, "The period cannot end before it starts.")


def test_it_refuses_an_inline_claim_in_a_unit_the_figure_cannot_measure(editor_client, waste_claim):
    url, response, data = figure_page(editor_client, waste_claim.figure)
    data[inline_row(data, inline_prefix(response, "claim"), "unit", waste_claim.pk)] = "m3"
    assert_refused(editor_client, url, data, "Cubic metres cannot measure “weight seized”")


def test_it_ignores_a_posted_figure_status(editor_client, seed):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    url, _, data = figure_page(editor_client, figure)
    data.update(status="consistent", notes="Two outlets, two figures.")
    assert editor_client.post(url, data).status_code == 302
    figure.refresh_from_db()
    assert (figure.status, figure.notes) == ("disputed", "Two outlets, two figures.")


def operation_page(client, slug):
    operation = Operation.objects.get(slug=slug)
    url = reverse("admin:archive_operation_change", args=[operation.pk])
    response = client.get(url)
    return url, response, form_data(response)


def test_it_refuses_an_operation_that_ends_before_it_starts(editor_client, seed):
    url, _, data = operation_page(editor_client, "demeter-v")
    data["end_date"] = "2019-08-30"
    assert_refused(editor_client, url, data, "The operation cannot end before it starts.")


@pytest.mark.parametrize(
    "names, message",
    [
        (["operation earth goddess"], "“Operation Earth Goddess” is already an alias of Operation Demeter V."),
        (["Thunderball"] * 2, "The alias “Thunderball” repeats the alias “Thunderball”."),
        (["Goddess", "goddess"], "The alias “goddess” repeats the alias “Goddess”."),
        (["OPERATION DEMETER V"], "The alias “OPERATION DEMETER V” repeats the operation&#x27;s own name."),
        (["Operation Thunderball"], "“Operation Thunderball” is already the name of Operation Thunderball."),
    ],
)
def test_it_refuses_an_alias_that_names_something_else(editor_client, seed, names, message):
    url, response, data = operation_page(editor_client, "demeter-v")
    prefix = inline_prefix(response, "operationalias")
    first = int(data[f"{prefix}-INITIAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(first + len(names))
    for row, name in enumerate(names, first):
        data[f"{prefix}-{row}-name"] = name
        data[f"{prefix}-{row}-operation"] = data[f"{prefix}-0-operation"]
    assert_refused(editor_client, url, data, message)


def test_it_names_the_organisation_that_already_has_a_short_name(editor_client, seed):
    interpol = Organisation.objects.get(slug="interpol")
    url = reverse("admin:archive_organisation_change", args=[interpol.pk])
    data = form_data(editor_client.get(url))
    data["short_name"] = "WCO"
    assert_refused(editor_client, url, data, "Organisation “World Customs Organization” already has this short name.")


def test_it_refuses_to_delete_a_figure_that_claims_still_state(editor_client, waste_claim):
    url = reverse("admin:archive_figure_delete", args=[waste_claim.figure_id])
    before = snapshot()
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert snapshot() == before


def test_it_deletes_an_article_with_its_claims_and_recomputes_their_figures(editor_client, china_daily):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    response = editor_client.post(
        reverse("admin:archive_article_delete", args=[china_daily.pk]),
        {"post": "yes", "reason": "the outlet withdrew the article"},
    )
    assert response.status_code == 302
    assert not Claim.objects.filter(article_id=china_daily.pk).exists()
    figure.refresh_from_db()
    assert figure.status == "single"
    assert Decimal(figure.claims.get().value) == 4585
