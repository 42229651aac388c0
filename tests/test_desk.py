"""The claim desk: an article's numbers, each claimed, dismissed or to claim from a form the text
fills, with the figure chosen among ranked suggestions or made new in the same form."""

import html
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.desk import sentence_around, speaker_in, suggested_slug, suggested_title
from archive.models import Article, Claim, DismissedNumber, Figure, Operation, Organisation, Outlet, Person
from tests.admin_forms import form_data

# 17 since the claim form offers the origins to choose from (one query for its list).
QUERIES = 17
BODY = (
    "Customs officers in Operation Thunderball seized 1.64 tons of ivory, Sun Zhijie said.\n\n"
    "They also found nearly 10,000 turtles. Over the first 10 months of the year, 1,828 cases were handled."
)


@pytest.fixture
def report(seed):
    return Article.objects.create(
        outlet=Outlet.objects.get(slug="global-times"), title="A new report", slug="a-new-report", body=BODY
    )


def desk_url(article, at=None):
    url = reverse("admin:archive_article_desk", args=[article.pk])
    return url if at is None else f"{url}?at={at}"


def at(article, text):
    return article.body.index(text)


def test_it_marks_every_number_of_the_body_and_counts_those_handled(editor_client, seed):
    china_daily = Article.objects.get(outlet__slug="china-daily")
    page = editor_client.get(desk_url(china_daily)).content.decode()
    assert "11 of 12 numbers handled" in page
    assert page.count('class="desk-number desk-claimed') == 11
    assert page.count('class="desk-number desk-unclaimed') == 1


def test_it_fills_the_claim_from_what_the_text_prints(editor_client, report):
    response = editor_client.get(desk_url(report, at(report, "1.64")))
    form = response.context["form"]
    assert {name: form.initial[name] for name in ("value", "value_high", "unit", "bound")} == {
        "value": Decimal("1.64"),
        "value_high": None,
        "unit": "t",
        "bound": "exact",
    }
    assert (
        form.initial["quote"] == "Customs officers in Operation Thunderball seized 1.64 tons of ivory, Sun Zhijie said."
    )
    assert form.initial["speaker"] == Person.objects.get(slug="sun-zhijie").pk
    nearly = editor_client.get(desk_url(report, at(report, "10,000"))).context["form"].initial
    assert (nearly["bound"], nearly["unit"], nearly["quote"]) == (
        "nearly",
        "count",
        "They also found nearly 10,000 turtles.",
    )


def test_it_suggests_the_figures_of_the_operation_the_article_names_that_fit_the_unit(editor_client, report):
    suggestions = editor_client.get(desk_url(report, at(report, "1.64"))).context["form"].fields["figure"].choices
    slugs = [Figure.objects.get(pk=pk).slug for pk, _ in suggestions if pk != "new"]
    # The figure another source gives 1.64 t first; then the other weights of Operation Thunderball.
    assert slugs[0] == "thunderball-2019-weight-china-customs"
    assert set(slugs) == {"thunderball-2019-weight-china-customs", "thunderball-2019-ivory-products-weight-china"}
    assert "China Daily 1.64 t" in str(suggestions[0][1])
    assert "Operation Thunderball · GACC · 4–30 June 2019; China Daily 1.64 t" in str(suggestions[0][1])
    cases = editor_client.get(desk_url(report, at(report, "1,828"))).context["form"].fields["figure"].choices
    first = Figure.objects.get(pk=cases[0][0])
    assert first.slug in ("thunderball-2019-cases-all-countries", "thunderball-2019-seizures-china")
    assert all(Figure.objects.get(pk=pk).measure != "weight_seized" for pk, _ in cases if pk != "new")


def test_a_claim_on_a_suggested_figure_takes_one_submission_and_returns_to_the_next_number(editor_client, report):
    url = desk_url(report, at(report, "1.64"))
    data = form_data(editor_client.get(url))
    figure = Figure.objects.get(slug="thunderball-2019-weight-china-customs")
    data["figure"] = str(figure.pk)

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == desk_url(report, at(report, "10,000"))
    claim = Claim.objects.get(article=report)
    assert (claim.figure, claim.value, claim.unit, claim.value_printed) == (figure, Decimal("1.64"), "t", "1.64")
    assert claim.speaker.slug == "sun-zhijie"
    page = html.unescape(editor_client.get(response["Location"]).content.decode())
    assert f"Claim saved: 1.64 on “{figure.title}”" in page


def test_it_refuses_a_claim_the_text_contradicts_naming_the_field_and_saves_nothing(editor_client, report):
    url = desk_url(report, at(report, "1.64"))
    data = form_data(editor_client.get(url))
    data.update(figure=str(Figure.objects.get(slug="thunderball-2019-weight-china-customs").pk), unit="kg")

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [
        "The quote prints “1.64 tons”: the unit should be tonnes, not kilograms."
    ]
    assert not Claim.objects.filter(article=report).exists()


def test_a_claim_on_a_new_figure_takes_two_submissions_with_title_slug_and_period_suggested(editor_client, report):
    url = desk_url(report, at(report, "10,000"))
    data = form_data(editor_client.get(url))
    data.update(figure="new", new_measure="items_seized", new_subject="turtles",
                new_organisation=str(Organisation.objects.get(slug="gacc").pk))  # fmt: skip
    assert data["new_operation"] == str(Operation.objects.get(slug="thunderball-2019").pk)
    figures = Figure.objects.count()

    first = editor_client.post(url, data)

    assert first.status_code == 200 and Figure.objects.count() == figures
    suggested = form_data(first)
    assert suggested["new_title"] == "Items seized of turtles by GACC in Operation Thunderball, 4–30 June 2019"
    assert suggested["new_slug"] == "thunderball-2019-items-seized-turtles-gacc"
    assert (suggested["new_period_start"], suggested["new_period_end"]) == ("2019-06-04", "2019-06-30")

    second = editor_client.post(url, suggested)

    assert second.status_code == 302
    figure = Figure.objects.get(slug="thunderball-2019-items-seized-turtles-gacc")
    assert (figure.period_start, figure.period_end, figure.operation.slug) == (
        date(2019, 6, 4),
        date(2019, 6, 30),
        "thunderball-2019",
    )
    assert Claim.objects.get(article=report).figure == figure


def test_a_refused_claim_leaves_no_new_figure_behind(editor_client, report):
    url = desk_url(report, at(report, "10,000"))
    data = form_data(editor_client.get(url))
    gacc = str(Organisation.objects.get(slug="gacc").pk)
    data.update(
        figure="new", new_measure="items_seized", new_organisation=gacc, new_title="Turtles", new_slug="turtles"
    )
    data["bound"] = "exact"
    response = editor_client.post(url, data)
    assert response.context["form"].errors["bound"]
    assert not Figure.objects.filter(slug="turtles").exists()


def test_a_number_dismissed_as_no_figure_counts_as_handled_until_restored(editor_client, report, editor):
    months = at(report, "10 months")
    response = editor_client.post(desk_url(report), {"action": "dismiss", "at": months})
    assert response.status_code == 302
    dismissal = DismissedNumber.objects.get(article=report)
    assert (dismissal.start, dismissal.text, dismissal.dismissed_by) == (months, "10", editor)
    assert "1 of 4 numbers handled" in editor_client.get(desk_url(report)).content.decode()

    report.body = "A new first line.\n\n" + report.body
    report.save()
    assert DismissedNumber.objects.get(article=report).start == report.body.index("10 months")

    editor_client.post(desk_url(report), {"action": "restore", "at": report.body.index("10 months")})
    assert not DismissedNumber.objects.exists()


def test_only_an_editor_may_claim_or_dismiss(client, report, django_user_model):
    viewer = django_user_model.objects.create_user("vera", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    assert client.get(desk_url(report)).status_code == 200
    assert client.post(desk_url(report), {"action": "dismiss", "at": at(report, "10 months")}).status_code == 403
    assert client.post(desk_url(report, at(report, "1.64")), {"figure": "new"}).status_code == 403
    assert not DismissedNumber.objects.exists() and not Claim.objects.filter(article=report).exists()


def test_it_never_renders_the_body_as_html(editor_client, seed):
    article = Article.objects.create(outlet=Outlet.objects.get(slug="global-times"), title="T", slug="t",
                                     body='<script>alert("x")</script> seized 7 <b>boxes</b>')  # fmt: skip
    page = editor_client.get(desk_url(article)).content.decode()
    assert "<script>alert" not in page and "<b>boxes</b>" not in page


LONG = "Over the first 10 months of this year, customs probed 444 cases, with the amount totaling 1,237 metric tons."


@pytest.mark.parametrize(
    "body, number, sentence",
    [
        ("One. Mr. Sun saw 5 boxes at a U.S. port. Two.", "5", "Mr. Sun saw 5 boxes at a U.S. port."),
        (f"{LONG} Then.", "1,237", LONG),
        ("A caption 1,828 cases\nThe text.", "1,828", "A caption 1,828 cases"),
    ],
)  # fmt: skip
def test_it_quotes_the_whole_sentence(body, number, sentence):
    start = body.index(number)
    assert sentence_around(body, start, start + len(number)) == sentence


def test_it_finds_the_person_a_sentence_quotes(seed):
    assert speaker_in("“We will step up,” Sun said.").slug == "sun-zhijie"
    assert speaker_in("Sun Zhijie, deputy director, attended.").slug == "sun-zhijie"
    assert speaker_in("The sun rose over 5 ports, they said.") is None


def test_it_suggests_a_short_unique_slug_and_a_title(seed):
    gacc, thunderball = Organisation.objects.get(slug="gacc"), Operation.objects.get(slug="thunderball-2019")
    start, end = thunderball.start_date, thunderball.end_date
    long_subject = "endangered species and their products of every kind and description whatsoever"
    slug = suggested_slug("weight_seized", long_subject, gacc, thunderball, start)
    assert len(slug) <= 60 and slug.startswith("thunderball-2019-weight-seized-endangered")
    Figure.objects.create(title="x", slug="thunderball-2019-cases-gacc", measure="cases", organisation=gacc)
    assert suggested_slug("cases", "", gacc, thunderball, start) == "thunderball-2019-cases-gacc-2"
    assert (
        suggested_title("cases", "", gacc, thunderball, start, end)
        == "Cases by GACC in Operation Thunderball, 4–30 June 2019"
    )


@pytest.mark.parametrize("printed", ["4 June 2019", "June 4, 2019", "2019-06-04", "4 Jun 2019"])
def test_it_takes_dates_as_articles_print_them(superuser_client, seed, printed):
    operation = Operation.objects.get(slug="demeter-v")
    url = reverse("admin:archive_operation_change", args=[operation.pk])
    data = form_data(superuser_client.get(url))
    data["start_date"] = printed
    data["end_date"] = "30 June 2019"
    assert superuser_client.post(url, data).status_code == 302
    operation.refresh_from_db()
    assert operation.start_date == date(2019, 6, 4)


def test_a_refused_date_says_which_forms_it_takes(superuser_client, seed):
    operation = Operation.objects.get(slug="demeter-v")
    url = reverse("admin:archive_operation_change", args=[operation.pk])
    data = form_data(superuser_client.get(url))
    data["start_date"] = "04/06/2019"
    page = superuser_client.post(url, data).content.decode()
    assert "Enter a date as 2019-06-04, 4 June 2019 or June 4, 2019." in page


def test_the_desk_takes_as_many_queries_whatever_the_numbers_and_claims(
    editor_client, seed, django_assert_max_num_queries
):

    def queries(article):
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(desk_url(article)).status_code == 200
        return len(captured)

    big = Article.objects.get(outlet__slug="china-daily")  # 12 numbers, 11 claims, 1 to claim
    small = Article.objects.create(outlet=big.outlet, title="S", slug="s", body="Operation Thunderball: 1.64 tons.")
    assert queries(small) == queries(big) == QUERIES


def test_a_claim_saved_on_its_own_page_returns_to_its_article_s_desk_unless_opened_from_the_list(editor_client, seed):
    claim = Claim.objects.get(article__outlet__slug="china-daily", value=1237)
    url = reverse("admin:archive_claim_change", args=[claim.pk])
    data = form_data(editor_client.get(url))
    data["note"] = "checked"
    response = editor_client.post(url, data)
    china_daily = claim.article
    assert response["Location"] == desk_url(china_daily, at(china_daily, "first 10") + len("first "))

    from_list = f"{url}?_changelist_filters=status%3Dpublished"
    data = form_data(editor_client.get(from_list))
    response = editor_client.post(from_list, data)
    assert response["Location"] == reverse("admin:archive_claim_changelist") + "?status=published"


def test_a_date_is_shown_in_a_form_it_is_read_back_in(superuser_client, seed):
    operation = Operation.objects.get(slug="demeter-v")
    url = reverse("admin:archive_operation_change", args=[operation.pk])
    page = superuser_client.get(url).content.decode()
    assert 'name="start_date" value="2019-09-02"' in page
