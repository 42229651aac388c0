"""What the list and change pages show an editor: statuses, hints, counts,
filters, search, autocomplete, and derived fields she cannot type over."""

import json

import pytest
from django.contrib import admin
from django.contrib.admin.sites import site
from django.core import checks
from django.urls import reverse

from archive.models import Article, Claim, Figure, Operation, OperationAlias, Organisation, Outlet, Person

ARCHIVE_MODELS = [Outlet, Organisation, Person, Operation, OperationAlias, Article, Figure, Claim]


def changelist(client, model_name, query=""):
    response = client.get(reverse(f"admin:archive_{model_name}_changelist") + query)
    assert response.status_code == 200
    return response


def listed(response):
    return list(response.context["cl"].result_list)


def test_it_passes_the_admin_system_checks():
    assert checks.run_checks(tags=[checks.Tags.admin]) == []


def test_it_registers_every_archive_model_with_search_and_autocomplete_for_every_relation():
    for model in ARCHIVE_MODELS:
        model_admin = site._registry[model]
        assert model_admin.search_fields, model
        relations = [field.name for field in model._meta.get_fields() if field.many_to_one or field.many_to_many]
        editable = [name for name in relations if model._meta.get_field(name).editable]
        assert sorted(model_admin.autocomplete_fields) == sorted(editable), model


def test_it_shows_each_figures_status_claims_and_possible_misattributions(editor_client, seed):
    response = changelist(editor_client, "figure")
    figures = {figure.slug: figure for figure in listed(response)}
    assert figures["demeter-v-waste-seized-china-customs"].claim_count == 2
    assert figures["thunderball-2019-participating-countries"].claim_count == 2
    page = response.content.decode()
    assert ">disputed</span>" in page
    assert ">sources agree</span>" in page
    other = Figure.objects.get(slug="demeter-v-cases-china-customs")
    link = f'<a href="{reverse("admin:archive_figure_change", args=[other.pk])}">{other.title}</a>'
    assert link in page


@pytest.mark.parametrize(
    "query, slugs",
    [
        ("?status__exact=disputed", {"demeter-v-waste-seized-china-customs", "demeter-v-cases-china-customs"}),
        (
            "?misattributed=yes",
            {
                "thunderball-2019-cases-all-countries",
                "thunderball-2019-seizures-china",
                "demeter-v-cases-all-countries",
                "demeter-v-cases-china-customs",
            },
        ),
        ("?q=ivory", {"thunderball-2019-ivory-pieces-china", "thunderball-2019-ivory-products-weight-china"}),
        ("?measure__exact=volume_seized", {"thunderball-2019-wood-volume-china"}),
    ],
)
def test_it_filters_and_searches_figures(editor_client, seed, query, slugs):
    assert {figure.slug for figure in listed(changelist(editor_client, "figure", query))} == slugs


def test_it_lists_figures_without_a_hint(editor_client, seed):
    unhinted = listed(changelist(editor_client, "figure", "?misattributed=no"))
    assert len(unhinted) == Figure.objects.count() - 4


def test_it_shows_each_claim_with_its_printed_value_figure_article_and_outlet(editor_client, seed):
    response = changelist(editor_client, "claim", "?q=roughly")
    (claim,) = listed(response)
    page = response.content.decode()
    for text in ["roughly 1,500", "tonnes", "about", "Waste seized by China customs", "China Daily", "published"]:
        assert text in page, text
    assert claim.figure.status == "disputed"


@pytest.mark.parametrize(
    "term",
    ["roughly", "1,500", "waste 1,500", '"roughly 1,500"', "Global", "ivory", "cases 2019", "nothing"],
)
def test_the_claim_search_finds_what_the_default_admin_search_does(rf, superuser, seed, term):
    """Each table searched by its own subquery (for its trigram index) finds what Django's OR
    across joins over `search_fields` finds."""
    model_admin = site._registry[Claim]
    request = rf.get("/", {"q": term})
    request.user = superuser
    queryset = Claim.objects.all()
    default, _ = admin.ModelAdmin.get_search_results(model_admin, request, queryset, term)
    ours, may_have_duplicates = model_admin.get_search_results(request, queryset, term)
    assert sorted(ours.values_list("pk", flat=True)) == sorted(default.distinct().values_list("pk", flat=True))
    assert not may_have_duplicates
    assert ours.exists() == (term != "nothing")


@pytest.mark.parametrize(
    "query, count",
    [
        ("?figure_status=disputed", 4),
        ("?unit__exact=t", 6),
        ("?bound__exact=about", 1),
        ("?status__exact=draft", 0),
        ("?figure__operation__id__exact={demeter}", 6),
        ("?article__outlet__id__exact={global_times}", 13),
        ("?speaker__id__exact={sun}", 6),
    ],
)
def test_it_filters_claims(editor_client, seed, query, count):
    query = query.format(
        demeter=Operation.objects.get(slug="demeter-v").pk,
        global_times=Outlet.objects.get(slug="global-times").pk,
        sun=Person.objects.get(slug="sun-zhijie").pk,
    )
    assert len(listed(changelist(editor_client, "claim", query))) == count


def test_it_lists_articles_with_their_outlet_and_claim_count(editor_client, seed):
    response = changelist(editor_client, "article")
    counts = {article.outlet.name: article.claim_count for article in listed(response)}
    assert counts == {"China Daily": 11, "Global Times": 13}
    assert "published_on__day=26" in response.content.decode()
    assert len(listed(changelist(editor_client, "article", "?published_on__year=2019&published_on__month=11"))) == 2


def test_it_counts_each_operations_figures_and_lists_its_other_names(editor_client, seed):
    response = changelist(editor_client, "operation")
    counts = {operation.slug: operation.figure_count for operation in listed(response)}
    assert counts == {"demeter-v": 4, "thunderball-2019": 9}
    assert "Operation Earth Goddess" in response.content.decode()
    assert {op.slug for op in listed(changelist(editor_client, "operation", "?q=earth+goddess"))} == {"demeter-v"}


@pytest.mark.parametrize(
    "model_name, field_name, term, expected",
    [
        ("claim", "figure", "ivory", "Pieces of ivory seized by China in Operation Thunderball, June 2019"),
        ("claim", "article", "5G", "China will apply 5G technology in global trade and customs system: WCO"),
        ("claim", "speaker", "sun", "Sun Zhijie"),
        ("figure", "organisation", "GACC", "General Administration of Customs of China"),
        ("figure", "operation", "thunder", "Operation Thunderball"),
        ("article", "outlet", "global", "Global Times"),
        ("person", "organisation", "customs", "World Customs Organization"),
        ("operation", "coordinators", "interpol", "International Criminal Police Organization"),
        ("operationalias", "operation", "demeter", "Operation Demeter V"),
    ],
)
def test_it_autocompletes_every_relation(editor_client, seed, model_name, field_name, term, expected):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "archive", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    assert expected in [result["text"] for result in json.loads(response.content)["results"]]


def test_it_shows_a_claims_derived_fields_read_only(editor_client, seed):
    claim = Claim.objects.get(value=1500)
    response = editor_client.get(reverse("admin:archive_claim_change", args=[claim.pk]))
    form = response.context["adminform"].form
    for derived in ["quote_start", "value_printed", "normalised_value"]:
        assert derived not in form.fields
    page = response.content.decode()
    assert '<div class="readonly">roughly 1,500</div>' in page
    assert '<div class="readonly">1500000.000000</div>' in page or "1500000" in page


def test_it_shows_a_figures_status_and_hint_read_only(editor_client, seed):
    figure = Figure.objects.get(slug="demeter-v-cases-china-customs")
    response = editor_client.get(reverse("admin:archive_figure_change", args=[figure.pk]))
    assert "status" not in response.context["adminform"].form.fields
    assert "possible_misattributions" not in response.context["adminform"].form.fields
    page = response.content.decode()
    assert ">disputed</span>" in page
    other = Figure.objects.get(slug="demeter-v-cases-all-countries")
    assert f'<a href="{reverse("admin:archive_figure_change", args=[other.pk])}">{other.title}</a>' in page


def test_it_lists_a_figures_claims_inline(editor_client, seed):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    response = editor_client.get(reverse("admin:archive_figure_change", args=[figure.pk]))
    (inline,) = response.context["inline_admin_formsets"]
    assert {form.instance.value_printed for form in inline.formset.forms} == {"roughly 1,500", "4,585"}
    page = response.content.decode()
    assert "Customs to boost efforts to foil smuggling" in page
