"""Each outlet's record: its published claims and the three counts the record finds in them."""

from decimal import Decimal

import pytest

from archive.models import Claim, Figure, Outlet

from . import public_data as make

pytestmark = pytest.mark.django_db


def record(client, slug):
    response = client.get(f"/outlets/{slug}/")
    assert response.status_code == 200
    return response.context["record"], {claim.pk: claim for claim in response.context["claims"]}


def test_the_seed_outlets_records_count_what_their_claims_figures_show(client, seed):
    for outlet in Outlet.objects.filter(articles__status="published").distinct():
        counts, claims = record(client, outlet.slug)
        published = Claim.objects.published().filter(article__outlet=outlet)
        assert counts["claims"] == published.count() == len(claims)
        assert counts["disputed"] == published.filter(figure__status="disputed").count()
        hinted = [c for c in published if c.figure.possible_misattributions.filter(source_count__gt=0).exists()]
        assert counts["hinted"] == len(hinted) > 0
        assert sorted(pk for pk, claim in claims.items() if claim.hinted) == sorted(c.pk for c in hinted)


def test_the_outlet_list_gives_each_outlet_its_record(client, seed):
    response = client.get("/outlets/")
    rows = {outlet.slug: outlet.record for outlet in response.context["object_list"]}
    assert set(rows) == {"china-daily", "global-times"}
    for slug, row in rows.items():
        assert row == record(client, slug)[0]
    assert b'href="/outlets/global-times/"' in response.content


def rounding_case(precise, rounded, precise_unit="t", rounded_unit="t", same_outlet=False):
    """One figure: an outlet printing `precise` and another (or the same) printing `rounded`."""
    figure = make.figure()
    first = make.outlet("Precise Times")
    second = first if same_outlet else make.outlet("Rounding Post")
    words = {"t": "tonnes", "kg": "kilograms"}
    for value, unit, outlet in ((precise, precise_unit, first), (rounded, rounded_unit, second)):
        quote = f"Officers seized {value} {words[unit]} of waste"
        make.claim(
            make.article(f"Intro. {quote}. Outro.", source=outlet),
            figure,
            quote,
            Decimal(value.replace(",", "")),
            unit=unit,
        )
    return second


@pytest.mark.parametrize(
    "precise, rounded, rounds",
    [
        ("1,470", "1,500", True),  # 1,500 is 1,470 to the hundred
        ("1,450", "1,500", True),  # half a unit of the last digit: the boundary counts
        ("1,440", "1,500", False),
        ("1,551", "1,500", False),
        ("4,584.7", "4,585", True),
        ("1,237", "1,238", False),  # the same precision: a difference, not a rounding
        ("1,500", "1,470", False),  # the more precise value does not round the other
    ],
)
def test_a_claim_rounds_another_outlets_value_printed_more_precisely(client, precise, rounded, rounds):
    outlet = rounding_case(precise, rounded)
    counts, claims = record(client, outlet.slug)
    assert counts["rounding"] == int(rounds)
    (claim,) = claims.values()
    assert claim.rounds_outlet == ("Precise Times" if rounds else None)
    if rounds:
        assert f"rounds Precise Times’s “{precise}”" in client.get(f"/outlets/{outlet.slug}/").content.decode()


def test_rounding_is_read_in_the_base_unit(client):
    outlet = rounding_case("1,470", "1.5", precise_unit="kg", rounded_unit="t")
    assert record(client, outlet.slug)[0]["rounding"] == 1  # 1.5 t is 1,470 kg to the 100 kg


def test_values_far_apart_in_the_base_unit_are_no_rounding(client):
    outlet = rounding_case("1,470", "1.5", precise_unit="t", rounded_unit="t")
    assert record(client, outlet.slug)[0]["rounding"] == 0


def test_an_outlet_does_not_round_its_own_value(client):
    outlet = rounding_case("1,470", "1,500", same_outlet=True)
    assert record(client, outlet.slug)[0]["rounding"] == 0


def test_a_range_neither_rounds_nor_is_rounded(client):
    figure = make.figure()
    quote = "Officers seized 1,400 to 1,600 tonnes of waste"
    make.claim(
        make.article(f"Intro. {quote}. Outro.", source=make.outlet("Range Daily")), figure, quote, 1400, value_high=1600
    )
    quote = "Officers seized 1,500 tonnes of waste"
    make.claim(make.article(f"Intro. {quote}. Outro.", source=make.outlet("Plain Daily")), figure, quote, 1500)
    for slug in ("range-daily", "plain-daily"):
        assert record(client, slug)[0]["rounding"] == 0


def test_only_published_claims_in_published_articles_count(client):
    outlet = rounding_case("1,470", "1,500")
    Claim.objects.filter(article__outlet__name="Precise Times").update(status="draft")
    Figure.objects.get().refresh_derived()
    assert record(client, outlet.slug)[0]["rounding"] == 0


def test_an_outlet_without_a_published_article_has_no_page(client):
    make.article("A draft. They seized 5 tonnes.", source=make.outlet("Drafts Only"), status="draft")
    assert client.get("/outlets/drafts-only/").status_code == 404
    assert client.get("/outlets/nobody/").status_code == 404
    assert "drafts-only" not in {outlet.slug for outlet in client.get("/outlets/").context["object_list"]}


def test_a_page_past_the_end_or_malformed_is_refused(client, seed):
    assert client.get("/outlets/global-times/?page=9").status_code == 404
    assert client.get("/outlets/global-times/?page=abc").status_code == 400


def test_the_outlet_list_counts_each_outlet_only_its_own_roundings(client):
    rounding = rounding_case("1,470", "1,500")
    response = client.get("/outlets/")
    rows = {outlet.slug: outlet.record for outlet in response.context["object_list"]}
    assert {slug: row["rounding"] for slug, row in rows.items()} == {rounding.slug: 1, "precise-times": 0}
    for slug, row in rows.items():
        assert row == record(client, slug)[0]
