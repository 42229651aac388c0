"""Origins: what an article attributes a number to, checked in its body, and what a figure's
sources then amount to: outlets, independent origins, transmission errors (archive/origins.py)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive.models import Article, Claim, Figure, Organisation, Origin, Outlet
from archive.origins import figure_origins

from .admin_forms import form_data
from .csv_support import CLAIMS_HEADER, GLOBAL_TIMES, import_csv
from .test_public_pages import visible

pytestmark = pytest.mark.django_db

BRIEFING = "According to the briefing"


@pytest.fixture
def briefing(db):
    return Origin.objects.create(slug="briefing", name="The press briefing", kind=Origin.Kind.EVENT)


@pytest.fixture
def waste(db):
    organisation = Organisation.objects.create(slug="customs", name="Customs")
    return Figure.objects.create(slug="waste", title="Waste seized", measure="weight_seized", organisation=organisation)


def article(slug, body, copy_of=None):
    outlet, _ = Outlet.objects.get_or_create(slug=slug, name=f"Outlet {slug}")
    return Article.objects.create(
        slug=slug, outlet=outlet, title=f"Article {slug}", body=body, status="published", copy_of=copy_of
    )


def claim(article, figure, value, quote, origin=None, words="", bound="exact"):
    made = Claim(
        bound=bound,
        article=article,
        figure=figure,
        value=Decimal(value),
        unit="t",
        quote=quote,
        origin=origin,
        origin_words=words,
        status="published",
    )
    made.save()
    return made


def streamed_json(client, url):
    return json.loads(b"".join(client.get(url).streaming_content))


def public_claims(figure):
    return list(
        Claim.objects.published().filter(figure=figure).select_related("article__outlet", "origin").order_by("pk")
    )


def test_three_outlets_printing_one_origin_are_one_origin(waste, briefing):
    for slug in ("a", "b", "c"):
        body = f"{BRIEFING}, 4,585 tons of waste were seized."
        claim(article(slug, body), waste, "4585", "4,585 tons of waste were seized", briefing, BRIEFING)

    summary = figure_origins(public_claims(waste))[waste.pk]

    assert (summary.outlet_count, summary.origin_count) == (3, 1)
    assert summary.origins == ["The press briefing"]
    assert summary.transmission_errors == []


def test_outlets_without_a_named_origin_are_each_their_own(waste, briefing):
    claim(article("a", "Customs seized 4,585 tons."), waste, "4585", "4,585 tons")
    claim(article("b", "Customs seized 4,585 tons."), waste, "4585", "4,585 tons")
    claim(article("c", f"{BRIEFING}, 4,585 tons."), waste, "4585", "4,585 tons", briefing, BRIEFING)

    summary = figure_origins(public_claims(waste))[waste.pk]

    assert (summary.outlet_count, summary.origin_count) == (3, 3)


def test_one_origin_giving_two_values_that_disagree_is_a_transmission_error(client, waste, briefing):
    claim(article("a", f"{BRIEFING}, 4,585 tons."), waste, "4585", "4,585 tons", briefing, BRIEFING)
    quote = "roughly 1,500 tons"
    claim(article("b", f"{BRIEFING}, {quote}."), waste, "1500", quote, briefing, BRIEFING, "about")

    summary = figure_origins(public_claims(waste))[waste.pk]
    assert [error.origin for error in summary.transmission_errors] == ["The press briefing"]

    page = visible(client.get(waste.get_absolute_url()))
    assert "2 outlets, 1 origin" in page
    assert (
        "Transmission error. These values all come from one origin, The press briefing: Outlet a gives 4,585 "
        "tonnes; Outlet b gives about 1,500 tonnes." in page
    )
    assert "not a dispute between origins" in page
    assert f'href="{reverse("archive:methodology")}#transmission"' in client.get(waste.get_absolute_url()).text


def test_two_origins_that_disagree_are_a_dispute_not_a_transmission_error(waste, briefing):
    other = Origin.objects.create(slug="minister", name="The minister", kind=Origin.Kind.PERSON)
    claim(article("a", f"{BRIEFING}, 4,585 tons."), waste, "4585", "4,585 tons", briefing, BRIEFING)
    claim(article("b", "The minister said 1,500 tons."), waste, "1500", "1,500 tons", other, "The minister said")

    summary = figure_origins(public_claims(waste))[waste.pk]

    assert summary.origin_count == 2
    assert summary.transmission_errors == []


def test_one_origin_rounded_differently_is_no_transmission_error(waste, briefing):
    claim(article("a", f"{BRIEFING}, 1,237 tons."), waste, "1237", "1,237 tons", briefing, BRIEFING)
    claim(article("b", f"{BRIEFING}, 1,238 tons."), waste, "1238", "1,238 tons", briefing, BRIEFING)

    assert figure_origins(public_claims(waste))[waste.pk].transmission_errors == []


def test_a_claim_names_its_origin_in_the_article_s_words(waste, briefing):
    body = f"{BRIEFING}, 4,585 tons."
    with pytest.raises(ValidationError) as refused:
        claim(article("a", body), waste, "4585", "4,585 tons", briefing, "According to the minister")
    assert refused.value.message_dict == {
        "origin_words": ["These words do not appear in the body of the article “Article a”."]
    }
    with pytest.raises(ValidationError) as refused:
        claim(Article.objects.get(slug="a"), waste, "4585", "4,585 tons", briefing, "")
    assert "origin_words" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        claim(Article.objects.get(slug="a"), waste, "4585", "4,585 tons", None, BRIEFING)
    assert "origin" in refused.value.message_dict
    # Found like a quote: any run of whitespace matches any other.
    assert claim(Article.objects.get(slug="a"), waste, "4585", "4,585 tons", briefing, "According  to the\nbriefing").pk


def test_the_admin_and_the_csv_import_refuse_origin_words_the_body_does_not_print(editor_client, seed, tmp_path):
    seized = Claim.objects.get(figure__slug="thunderball-2019-seizures-china")
    url = reverse("admin:archive_claim_change", args=[seized.pk])
    data = form_data(editor_client.get(url))
    data["origin_words"] = "According to the minister"
    page = editor_client.post(url, data).text
    message = "These words do not appear in the body of the article"
    assert message in page

    row = dict.fromkeys(CLAIMS_HEADER, "")
    row.update(
        article=GLOBAL_TIMES,
        figure=seized.figure.slug,
        quote=seized.quote,
        value="1828",
        unit="count",
        bound="exact",
        origin="thunderball-demeter-v-debriefing-2019",
        origin_words="According to the minister",
    )
    result = import_csv(tmp_path, "claims", [CLAIMS_HEADER, list(row.values())])
    assert not result.ok
    assert f"column origin_words: {message}" in result.err + result.out
    seized.refresh_from_db()
    assert seized.origin_words == "According to the conference"


def test_a_body_edit_may_not_remove_a_claim_s_origin_words(seed):
    gt = Article.objects.get(slug=GLOBAL_TIMES)
    gt.body = gt.body.replace("According to the conference", "As the conference said")
    with pytest.raises(ValidationError, match="would remove the quoted text of 5 claim"):
        gt.full_clean()


def test_the_seed_names_the_debriefing_as_an_origin_not_the_article_itself(client, seed):
    page = visible(client.get(reverse("archive:figure_detail", args=["thunderball-2019-seizures-china"])))
    assert "Origin The Thunderball & Demeter V debriefing, Shenzhen, 26 November 2019, in the article's words" in page
    assert "“According to the conference”" in page
    assert "the article itself" not in page
    assert "1 outlet, 1 origin" in page


def test_a_figure_s_csv_and_json_give_its_outlets_origins_and_transmission_errors(client, waste, briefing):
    claim(article("a", f"{BRIEFING}, 4,585 tons."), waste, "4585", "4,585 tons", briefing, BRIEFING)
    quote = "roughly 1,500 tons"
    claim(article("b", f"{BRIEFING}, {quote}."), waste, "1500", quote, briefing, BRIEFING, "about")
    claim(article("c", "Customs seized 4,585 tons."), waste, "4585", "4,585 tons")

    record = streamed_json(client, reverse("archive:figure_detail_json", args=[waste.slug]))
    assert (record["outlet_count"], record["origin_count"]) == (3, 2)
    assert record["origins"] == ["The press briefing", "the article in Outlet c"]
    assert [error["origin"] for error in record["transmission_errors"]] == ["The press briefing"]
    assert [claim["origin_words"] for claim in record["claims"]] == [BRIEFING, "", BRIEFING]

    listed = streamed_json(client, reverse("archive:figure_json"))["results"][0]
    assert {key: listed[key] for key in ("outlet_count", "origin_count", "origins")} == {
        key: record[key] for key in ("outlet_count", "origin_count", "origins")
    }
    rows = list(
        csv.DictReader(io.StringIO(b"".join(client.get(reverse("archive:figure_csv")).streaming_content).decode()))
    )
    assert (rows[0]["outlet_count"], rows[0]["origin_count"], rows[0]["transmission_errors"]) == (
        "3",
        "2",
        "The press briefing",
    )
