import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive.desk import desk_numbers
from archive.models import Article, Claim, Figure, Operation, OperationAlias, Organisation, Outlet

DEMETER_WASTE = "demeter-v-waste-seized-china-customs"
CHINA_DAILY = "china-daily-2019-11-27-customs-to-boost-efforts-to-foil-smuggling"
GLOBAL_TIMES = "global-times-2019-11-26-china-will-apply-5g-technology"


@pytest.fixture
def china_daily(seed):
    return Article.objects.get(slug=CHINA_DAILY)


@pytest.fixture
def waste_figure(seed):
    return Figure.objects.get(slug=DEMETER_WASTE)


def new_claim(article, figure, quote, value, unit="t", bound="exact", status="published"):
    return Claim(
        article=article, figure=figure, quote=quote, value=Decimal(value), unit=unit, bound=bound, status=status
    )


def save_refused(claim):
    count = Claim.objects.count()
    with pytest.raises(ValidationError) as refused:
        claim.save()
    assert Claim.objects.count() == count
    return refused.value.message_dict


# The quote must appear verbatim in the body.


def test_it_refuses_a_quote_that_is_not_in_the_body(china_daily, waste_figure):
    claim = new_claim(china_daily, waste_figure, "which seized 1,500 tons of waste", "1500")
    errors = save_refused(claim)
    assert "does not appear in the body" in errors["quote"][0]


def test_it_finds_a_quote_whatever_its_whitespace_and_stores_where(china_daily, waste_figure):
    claim = new_claim(china_daily, waste_figure, "which   seized\nroughly 1,500 tons", "1500", bound="about")
    claim.save()
    assert china_daily.body[claim.quote_start : claim.quote_end] == "which seized roughly 1,500 tons"
    assert china_daily.body[claim.value_start : claim.value_end] == "1,500"
    assert claim.value_printed == "roughly 1,500"


def test_it_refuses_an_overlong_quote(china_daily, waste_figure):
    errors = save_refused(new_claim(china_daily, waste_figure, "x" * 2001, "1500"))
    assert "at most 2,000 characters" in errors["quote"][0]


# The value must be printed in the quote.


def test_it_refuses_a_value_the_quote_does_not_print(china_daily, waste_figure):
    errors = save_refused(new_claim(china_daily, waste_figure, "seized roughly 1,500 tons of waste", "1501", "t"))
    assert errors["value"] == ["The quote does not print 1,501: it prints “roughly 1,500”."]


def test_it_refuses_a_bound_that_contradicts_the_printed_word(china_daily, waste_figure):
    errors = save_refused(new_claim(china_daily, waste_figure, "seized roughly 1,500 tons of waste", "1500"))
    assert "the bound should be “about”" in errors["bound"][0]


def test_it_refuses_a_unit_that_cannot_measure_the_figure(china_daily, waste_figure):
    errors = save_refused(new_claim(china_daily, waste_figure, "85 cases involved China customs", "85", "count"))
    assert "cannot measure “weight seized”" in errors["unit"][0]


def test_it_refuses_a_negative_value_without_a_word_of_decrease(seed):
    article = Article.objects.get(slug=GLOBAL_TIMES)
    figure = Figure.objects.get(slug="china-customs-solid-waste-cases-yoy-2019")
    errors = save_refused(new_claim(article, figure, "232 cases, including 201 waste cases", "-201", "percent"))
    assert errors["value"] == ["The quote prints 201 but says nothing of a decrease, so the value cannot be -201."]


def test_it_accepts_a_decrease_printed_as_its_size(seed):
    claim = Claim.objects.get(figure__slug="china-customs-solid-waste-cases-yoy-2019")
    assert claim.value == Decimal(-23)
    claim.save()  # re-validates
    assert claim.value_printed == "23 percent"


def test_it_converts_values_to_the_base_unit(seed):
    claim = Claim.objects.get(figure__slug="china-customs-endangered-species-weight-jan-oct-2019", value=1237)
    assert claim.normalised_value == Decimal(1_237_000)
    assert claim.normalised_precision == Decimal(1000)


# Editing a body so that a quote disappears is refused.


def test_it_refuses_a_body_edit_that_orphans_claims_and_names_them(china_daily):
    original = china_daily.body
    china_daily.body = original.replace("roughly 1,500 tons", "about 1,500 tonnes")
    with pytest.raises(ValidationError) as refused:
        china_daily.save()
    message = refused.value.message_dict["body"][0]
    orphan = Claim.objects.get(article=china_daily, value=1500)
    assert f"claim {orphan.pk} (Waste seized by China customs in Operation Demeter V" in message
    assert "1 claim(s)" in message
    assert Article.objects.get(pk=china_daily.pk).body == original


def test_it_reports_the_same_orphans_from_clean(china_daily):
    china_daily.body = china_daily.body.replace("444 cases", "445 cases")
    with pytest.raises(ValidationError, match="would remove the quoted text of 1 claim"):
        china_daily.full_clean()


def test_it_moves_claim_positions_when_an_edit_keeps_every_quote(china_daily):
    claim = Claim.objects.get(article=china_daily, value=1500)
    china_daily.body = "Editor's note: corrected a typo.\n" + china_daily.body
    china_daily.save()
    claim.refresh_from_db()
    assert china_daily.body[claim.value_start : claim.value_end] == "1,500"


# The status is computed from published claims.


@pytest.mark.parametrize(
    "slug, status",
    [
        ("china-customs-endangered-species-cases-jan-oct-2019", "consistent"),
        ("china-customs-endangered-species-weight-jan-oct-2019", "minor"),
        (DEMETER_WASTE, "disputed"),
        ("demeter-v-cases-china-customs", "disputed"),
        ("china-customs-solid-waste-cases-jan-oct-2019", "single"),
        ("thunderball-2019-participating-countries", "consistent"),
    ],
)
def test_the_seed_data_shows_the_state_of_the_record(seed, slug, status):
    assert Figure.objects.get(slug=slug).status == status


def test_it_recomputes_the_status_when_a_claim_is_unpublished(waste_figure):
    claim = waste_figure.claims.get(value=4585)
    claim.status = "draft"
    claim.save()
    waste_figure.refresh_from_db()
    assert (waste_figure.status, waste_figure.source_count, waste_figure.published_claim_count) == ("single", 1, 1)


def test_it_recomputes_the_status_when_a_claim_is_deleted_or_added(waste_figure, china_daily):
    waste_figure.claims.get(value=4585).delete()
    waste_figure.claims.get(value=1500).delete()
    waste_figure.refresh_from_db()
    assert (waste_figure.status, waste_figure.source_count, waste_figure.published_claim_count) == ("unsourced", 0, 0)
    new_claim(china_daily, waste_figure, "which seized roughly 1,500 tons of waste", "1500", bound="about").save()
    waste_figure.refresh_from_db()
    assert (waste_figure.status, waste_figure.source_count, waste_figure.published_claim_count) == ("single", 1, 1)


def test_it_recomputes_the_status_when_an_article_is_unpublished(seed):
    article = Article.objects.get(slug=GLOBAL_TIMES)
    article.status = "draft"
    article.save()
    assert Figure.objects.get(slug=DEMETER_WASTE).status == "single"
    assert Figure.objects.get(slug="thunderball-2019-seizures-china").status == "unsourced"
    assert Figure.objects.get(slug="thunderball-2019-seizures-china").source_count == 0


def test_a_figure_saved_from_a_stale_copy_keeps_its_counts(waste_figure):
    stale = Figure.objects.get(pk=waste_figure.pk)
    waste_figure.claims.get(value=4585).delete()
    stale.notes = "Edited from a page opened before the claim was deleted."
    stale.save()
    stale.refresh_from_db()
    assert (stale.status, stale.source_count, stale.published_claim_count) == ("single", 1, 1)


def test_it_never_lets_the_status_be_typed():
    assert Figure._meta.get_field("status").editable is False


# Possible misattributions.


def hints(slug):
    return sorted(Figure.objects.get(slug=slug).possible_misattributions.values_list("slug", flat=True))


def test_it_hints_at_a_value_another_source_gives_another_actor(seed):
    assert hints("thunderball-2019-seizures-china") == ["thunderball-2019-cases-all-countries"]
    assert hints("thunderball-2019-cases-all-countries") == ["thunderball-2019-seizures-china"]
    assert hints("demeter-v-cases-all-countries") == ["demeter-v-cases-china-customs"]


def test_it_gives_no_hint_where_the_values_differ(seed):
    assert hints(DEMETER_WASTE) == []
    assert hints("thunderball-2019-cases-china-customs") == []


def test_it_drops_the_hint_when_the_claim_goes(seed):
    Claim.objects.get(figure__slug="thunderball-2019-seizures-china").delete()
    assert hints("thunderball-2019-cases-all-countries") == []


def test_it_gives_no_hint_when_the_same_outlet_says_both(seed):
    # China Daily's own 232 (all countries) is not a misattribution of China Daily's 85 (China).
    Claim.objects.get(figure__slug="demeter-v-cases-china-customs", value=232).delete()
    assert hints("demeter-v-cases-all-countries") == []


def test_it_gives_no_hint_outside_an_operation(seed):
    figure = Figure.objects.get(slug="thunderball-2019-seizures-china")
    figure.operation = None
    figure.save()
    assert hints("thunderball-2019-seizures-china") == []
    assert hints("thunderball-2019-cases-all-countries") == []


# The database keeps the rules even when the model is bypassed.


def test_the_database_refuses_a_unit_outside_the_vocabulary(seed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(value=1237).update(unit="furlongs")


def test_the_database_refuses_a_bound_outside_the_vocabulary(seed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(value=1237).update(bound="maybe")


def test_the_database_refuses_a_figure_status_outside_the_vocabulary(seed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.filter(slug=DEMETER_WASTE).update(status="agreed")


def test_the_database_refuses_a_known_address_twice_but_not_two_unknown_ones(seed):
    outlet = Outlet.objects.get(slug="global-times")
    Article.objects.create(outlet=outlet, slug="a", title="A", body="x")
    Article.objects.create(outlet=outlet, slug="b", title="B", body="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            outlet=outlet, slug="c", title="C", body="x", url="http://www.globaltimes.cn/content/1171307.shtml"
        )


def test_the_database_refuses_an_operation_that_ends_before_it_starts(seed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Operation.objects.filter(slug="demeter-v").update(end_date="2019-01-01")


def test_the_database_refuses_an_alias_twice_whatever_its_case(seed):
    with pytest.raises(IntegrityError), transaction.atomic():
        OperationAlias.objects.create(operation=Operation.objects.get(slug="demeter-v"), name="operation earth goddess")


def test_it_refuses_an_alias_that_is_another_operations_name(seed):
    alias = OperationAlias(operation=Operation.objects.get(slug="demeter-v"), name="operation thunderball")
    with pytest.raises(ValidationError, match="already the name of Operation Thunderball"):
        alias.full_clean()


def test_it_finds_an_operation_by_slug_name_or_alias(seed):
    demeter = Operation.objects.get(slug="demeter-v")
    for text in ("demeter-v", "Operation Demeter V", "operation earth goddess"):
        assert Operation.objects.get_by_any_name(text) == demeter


def test_the_short_name_of_an_organisation_is_unique_when_given(seed):
    Organisation.objects.create(name="A", slug="a")
    Organisation.objects.create(name="B", slug="b")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="C", slug="c", short_name="WCO")


# Seed data.


def test_the_fixture_uses_natural_keys_only():
    rows = json.loads(Path("fixtures/seed.json").read_text())
    assert rows and all("pk" not in row for row in rows)


def test_the_fixture_derived_fields_match_what_the_rules_compute(seed):
    for claim in Claim.objects.select_related("article", "figure"):
        stored = claim.located_fields()
        claim.locate()
        assert claim.located_fields() == stored, claim

    def derived(figure):
        return (
            figure.status,
            figure.source_count,
            figure.published_claim_count,
            set(figure.possible_misattributions.all()),
        )

    for figure in Figure.objects.all():
        stored = derived(figure)
        figure.refresh_derived()
        figure.refresh_from_db()
        assert derived(figure) == stored


def test_the_seed_counts_every_figure_number_in_both_articles(seed):
    coverage = {article.slug: desk_numbers(article) for article in Article.objects.all()}
    unclaimed = {slug: [item.number.text for item in numbers if not item.claims] for slug, numbers in coverage.items()}
    assert unclaimed == {CHINA_DAILY: ["10"], GLOBAL_TIMES: []}  # "the first 10 months" is a period
    assert len(coverage[GLOBAL_TIMES]) == 13


def test_the_editors_group_manages_archive_content_but_not_users(db):
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("content_type__app_label", flat=True))
    assert codenames == {"archive"}
    perms = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_claim", "change_claim", "change_article", "add_figure"} <= perms
