"""Every admin list page, and the change pages that list claims inline, costs a
fixed number of queries however many rows it shows.

Each count is taken as Alice the editor, first on the seed data and again after
adding rows of every kind, and must not move. The content-type cache is
emptied first so a page that looks one up always pays for it.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from archive.models import Article, Claim, Figure, Operation, OperationAlias, Organisation, Outlet, Person

# Every page starts with the same four: the session, the user, the user's own
# permissions and the group's permissions.
CHANGELIST_QUERIES = {
    # + count, full count, the outlets with their article counts
    "outlet": 7,
    # + count, full count, the organisations with their figure counts
    "organisation": 7,
    # + organisations for the filter, count, full count, the people with organisation and claim count
    "person": 8,
    # + count, full count, the origins with person, organisation and claim count
    "origin": 7,
    # + organisations for the coordinator filter, count, full count, the operations with figure counts,
    # their aliases, their coordinators
    "operation": 10,
    # + operations for the filter, count, full count, the aliases with their operation
    "operationalias": 8,
    # + operations for the filter, count, full count, the statements with their operation, part and whole
    "partof": 8,
    # + outlets for the filter, count, the articles with outlet and claim counts (no body),
    # first and last date, the dates for the date hierarchy
    "article": 9,
    # + operations and organisations for the filters, count, the figures with organisation,
    # operation and claim counts, their possible misattributions
    "figure": 9,
    # + outlets and operations for the filters, count, the claims with figure, article, outlet and speaker
    "claim": 8,
}


@pytest.fixture
def more_rows(seed):
    """A third outlet's article with three new claims on three new figures, and more of everything else."""
    outlet = Outlet.objects.create(name="Xinhua", slug="xinhua")
    police = Organisation.objects.create(name="National Police", slug="national-police", short_name="NP")
    person = Person.objects.create(name="Jane Doe", slug="jane-doe", organisation=police)
    operation = Operation.objects.create(name="Operation Lionfish", slug="lionfish")
    operation.coordinators.add(police)
    OperationAlias.objects.create(operation=operation, name="Lionfish VI")
    article = Article.objects.create(
        outlet=outlet,
        title="Police in 12 countries make arrests",
        slug="police-in-12-countries",
        body="Police in 12 countries arrested 340 suspects and seized 5,000 kilograms of ivory, Jane Doe said.",
        status="published",
    )
    for value, unit, measure, quote in [
        (12, "count", "participating_countries", "Police in 12 countries"),
        (340, "count", "arrests", "arrested 340 suspects"),
        (5000, "kg", "weight_seized", "seized 5,000 kilograms of ivory"),
    ]:
        figure = Figure.objects.create(
            title=f"Lionfish {measure}",
            slug=f"lionfish-{measure}",
            measure=measure,
            organisation=police,
            operation=operation,
        )
        Claim.objects.create(
            article=article,
            figure=figure,
            value=Decimal(value),
            unit=unit,
            quote=quote,
            speaker=person,
            status="published",
        )


def count_queries(client, url, django_assert_num_queries, expected):
    ContentType.objects.clear_cache()
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("model_name", CHANGELIST_QUERIES)
def test_it_lists_the_seed_data_in_a_fixed_number_of_queries(
    editor_client, seed, django_assert_num_queries, model_name
):
    url = reverse(f"admin:archive_{model_name}_changelist")
    count_queries(editor_client, url, django_assert_num_queries, CHANGELIST_QUERIES[model_name])


@pytest.mark.parametrize("model_name", CHANGELIST_QUERIES)
def test_it_lists_more_rows_in_the_same_number_of_queries(
    editor_client, more_rows, django_assert_num_queries, model_name
):
    url = reverse(f"admin:archive_{model_name}_changelist")
    response = count_queries(editor_client, url, django_assert_num_queries, CHANGELIST_QUERIES[model_name])
    assert response.context["cl"].result_count > 1


def test_it_lists_search_and_filter_results_in_the_same_number_of_queries(
    editor_client, more_rows, django_assert_num_queries
):
    url = reverse("admin:archive_claim_changelist") + "?q=seized&status__exact=published&figure_status=single"
    response = count_queries(editor_client, url, django_assert_num_queries, CHANGELIST_QUERIES["claim"])
    assert response.context["cl"].result_count > 1


# The session, the user, the article, both permission queries, the claims with their
# article, outlet, figure and speaker, the article content type, the selected outlet's
# label, the claims with their figures and the numbers marked as not a figure for the numbers
# panel. The inline rows' figure and speaker labels come from the claims query, not one query each.
ARTICLE_CHANGE_QUERIES = 10

# The session, the user, the figure, its possible misattributions, both permission
# queries, the claims with their article, outlet and speaker, the figure content type,
# the selected organisation's and operation's labels.
FIGURE_CHANGE_QUERIES = 10


def test_it_shows_an_article_with_its_claims_in_a_fixed_number_of_queries(
    editor_client, seed, django_assert_num_queries
):
    article = Article.objects.get(outlet__slug="global-times")
    url = reverse("admin:archive_article_change", args=[article.pk])
    response = count_queries(editor_client, url, django_assert_num_queries, ARTICLE_CHANGE_QUERIES)
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 13


def test_it_shows_an_article_with_more_claims_in_the_same_number_of_queries(
    editor_client, more_rows, django_assert_num_queries
):
    article = Article.objects.get(slug="police-in-12-countries")
    url = reverse("admin:archive_article_change", args=[article.pk])
    response = count_queries(editor_client, url, django_assert_num_queries, ARTICLE_CHANGE_QUERIES)
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 3


def test_it_shows_a_figure_with_its_claims_in_a_fixed_number_of_queries(editor_client, seed, django_assert_num_queries):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    url = reverse("admin:archive_figure_change", args=[figure.pk])
    response = count_queries(editor_client, url, django_assert_num_queries, FIGURE_CHANGE_QUERIES)
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 2


def test_it_shows_a_figure_with_more_claims_in_the_same_number_of_queries(
    editor_client, more_rows, django_assert_num_queries
):
    figure = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    article = Article.objects.get(slug="police-in-12-countries")
    for quote in ["and seized 5,000 kilograms", "seized 5,000 kilograms", "5,000 kilograms of ivory"]:
        Claim.objects.create(article=article, figure=figure, value=5000, unit="kg", quote=quote)
    url = reverse("admin:archive_figure_change", args=[figure.pk])
    response = count_queries(editor_client, url, django_assert_num_queries, FIGURE_CHANGE_QUERIES)
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 5


# The session, the user, the claim, both permission queries, the number of history
# rows, the rows with their user, article, figure and speaker, the user content type,
# the claim's article for the page title. Each row's past claim reuses its row's article.
CLAIM_HISTORY_QUERIES = 9


@pytest.mark.parametrize("edits", [0, 5])
def test_it_shows_a_claims_history_in_a_fixed_number_of_queries(editor_client, seed, django_assert_num_queries, edits):
    claim = Claim.objects.get(value=1500)
    for edit in range(edits):
        claim.note = f"Checked {edit + 1} times."
        claim.save()
    url = reverse("admin:archive_claim_history", args=[claim.pk])
    response = count_queries(editor_client, url, django_assert_num_queries, CLAIM_HISTORY_QUERIES)
    assert len(response.context["page_obj"]) == edits + 1
    rows = re.findall(r'/history/\d+/">\s*roughly 1,500 in “Customs to boost', response.content.decode())
    assert len(rows) == edits + 1
