"""`archive_check`: every stored claim checked against the rules as they are now, the gap that
re-importing an unchanged row (which is not located again) and a change of the rules leave."""

from archive.models import Claim

from .csv_support import run


def seventy_three_in_tons():
    return Claim.objects.select_related("article", "figure").get(value_printed="1.64")


def test_it_finds_every_seed_claim_following_the_rules(seed):
    result = run("archive_check")

    assert result.ok, result.err
    assert result.out == f"Checked {Claim.objects.count():,} claims: every one follows the rules as they are now.\n"


def test_it_lists_a_claim_the_rules_refuse_with_its_reason(seed):
    claim = seventy_three_in_tons()
    Claim.objects.filter(pk=claim.pk).update(unit="kg")  # past the rules, as a rule changed since would

    result = run("archive_check")

    assert not result.ok
    assert result.err.splitlines() == [
        f"claim {claim.pk} (article {claim.article.slug}, figure {claim.figure.slug}, quote “{claim.quote[:59]}…”), "
        "unit: The quote prints “1.64 tons”: the unit should be tonnes, not kilograms.",
        f"1 of {Claim.objects.count():,} claims do not follow the rules as they are now",
    ]


def test_it_lists_a_stored_field_the_rules_now_read_otherwise(seed):
    claim = seventy_three_in_tons()
    Claim.objects.filter(pk=claim.pk).update(value_printed="1.6", normalised_precision=100)

    result = run("archive_check")

    assert [problem.split("), ", 1)[1] for problem in result.err.splitlines()[:-1]] == [
        "value_printed: stored as “1.6”, but the rules now give “1.64”: save again",
        "normalised_precision: stored as 100, but the rules now give 10: save again",
    ]


def test_it_reads_the_claims_of_many_articles_at_once(seed, django_assert_num_queries):
    # The articles' ids; then for each 200 of them their bodies, and their claims with their figures.
    with django_assert_num_queries(3):
        assert run("archive_check").ok
