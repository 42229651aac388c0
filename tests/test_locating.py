"""Locating a claim: its quote in the article's body, its value in the quote (archive/locating.py)."""

import re
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.locating import MAX_QUOTE_LENGTH, Body, find_quote, locate
from archive.models import Article, Claim, Figure

WHITESPACE = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
WORDS = ["a", "ab", "b", "1,237", "tons", "(x)", ".", "a.b", "*", "é", "\\s"]
pieces = st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet=WHITESPACE, min_size=1, max_size=3)), max_size=30)


def verbatim_with_any_whitespace(body, quote):
    """The rule as a regular expression: the quote's words, any run of whitespace between them."""
    words = quote.split()
    match = words and re.search(r"\s+".join(re.escape(word) for word in words), body)
    return (match.start(), match.end()) if match else None


def test_it_knows_the_same_whitespace_as_regular_expressions():
    assert [chr(code) for code in range(sys.maxunicode + 1) if re.match(r"\s", chr(code))] == WHITESPACE


@settings(max_examples=500)
@given(body=pieces, quote=pieces)
def test_it_finds_a_quote_verbatim_where_any_run_of_whitespace_matches_any_other(body, quote):
    body, quote = "".join(body), "".join(quote)
    assert find_quote(body, quote) == verbatim_with_any_whitespace(body, quote)


@settings(max_examples=500)
@given(body=pieces, data=st.data())
def test_it_finds_a_passage_of_the_body_quoted_with_other_whitespace(body, data):
    body = "".join(body)
    start = data.draw(st.integers(0, len(body)))
    end = data.draw(st.integers(start, len(body)))
    quote = re.sub(r"\s+", data.draw(st.sampled_from(WHITESPACE)), body[start:end])
    assert find_quote(body, quote) == verbatim_with_any_whitespace(body, quote)


BODY = "Customs seized roughly 1,500 tons\n\nof waste in 2019, and 1,500 tons more in 2020."


def claim_in(body, quote, value, unit="t", bound="exact", measure="weight_seized", value_high=None):
    article = Article(title="A", body=body)
    return Claim(article=article, figure=Figure(pk=1, measure=measure), quote=quote, value=Decimal(value), unit=unit,
                 bound=bound, value_high=value_high)  # fmt: skip


def located(body, quote, value, **fields):
    claim = claim_in(body, quote, value, **fields)
    locate(claim, Body(body))
    return claim


def refusal(body, quote, value, **fields):
    with pytest.raises(ValidationError) as raised:
        located(body, quote, value, **fields)
    return raised.value.message_dict


def test_it_stores_where_the_quote_and_its_value_are_printed():
    claim = located(BODY, "roughly 1,500 tons of waste", "1500", bound="about")

    assert BODY[claim.quote_start : claim.quote_end] == "roughly 1,500 tons\n\nof waste"
    assert BODY[claim.value_start : claim.value_end] == "1,500"
    assert claim.value_printed == "roughly 1,500"
    assert (claim.normalised_value, claim.normalised_precision) == (
        Decimal(1_500_000),
        Decimal(100_000),
    )  # in kilograms


def test_it_refuses_a_quote_the_body_does_not_print():
    assert refusal(BODY, "seized 2,000 tons", "2000") == {
        "quote": ["This quote does not appear in the body of the article “A”."]
    }


def test_it_refuses_a_quote_longer_than_the_limit():
    body = "1 " + "." * (MAX_QUOTE_LENGTH - 2)
    assert located(body, body, "1").quote_end == MAX_QUOTE_LENGTH
    assert refusal(body + ".", body + ".", "1") == {
        "quote": ["A quote is at most 2,000 characters; this one has 2,001."]
    }


def test_it_refuses_a_value_the_quote_does_not_print_saying_what_it_prints():
    assert refusal(BODY, "1,500 tons of waste in 2019", "1400") == {
        "value": ["The quote does not print 1,400: it prints “1,500”, “2019”."]
    }
    assert refusal(BODY, "tons of waste", "1400") == {"value": ["The quote does not print 1,400: it prints no number."]}


def test_it_refuses_a_bound_other_than_the_bound_word_printed_before_the_value():
    assert refusal(BODY, "roughly 1,500 tons", "1500", bound="more_than") == {
        "bound": ["The quote prints “roughly 1,500”: the bound should be “about”, not “more than”."]
    }


def test_it_accepts_any_bound_for_a_value_printed_without_a_bound_word():
    assert located(BODY, "1,500 tons more", "1500", bound="at_least").value_printed == "1,500"


def test_it_refuses_a_negative_value_unless_the_quote_says_it_is_a_decrease():
    body = "Seizures were 23 percent of the total; they fell by 23 percent."
    assert refusal(body, "Seizures were 23 percent", "-23", unit="percent", measure="year_on_year_change") == {
        "value": ["The quote prints 23 but says nothing of a decrease, so the value cannot be -23."]
    }
    assert (
        located(body, "fell by 23 percent", "-23", unit="percent", measure="year_on_year_change").value_printed
        == "23 percent"
    )


def test_it_refuses_a_unit_that_cannot_measure_the_figure_and_says_which_can():
    assert refusal(BODY, "roughly 1,500 tons", "1500", unit="count") == {
        "unit": ["Count cannot measure “weight seized”; use kilograms, tonnes."]
    }
    assert refusal(BODY, "2,000 tons", "2000", unit="count") == {
        "unit": ["Count cannot measure “weight seized”; use kilograms, tonnes."],
        "quote": ["This quote does not appear in the body of the article “A”."],
    }


def test_it_finds_the_value_among_several_numbers_in_the_quote():
    claim = located(BODY, "1,500 tons of waste in 2019", "2019")
    assert BODY[claim.value_start : claim.value_end] == "2019"


def test_it_takes_the_first_printing_of_the_same_number_whose_bound_agrees():
    quote = "roughly 1,500 tons of waste in 2019, and 1,500 tons"
    assert located(BODY, quote, "1500", bound="about").value_start == BODY.index("1,500")
    assert located(BODY, quote, "1500").value_start == BODY.index("1,500 tons more")


def test_it_reads_values_printed_in_words_and_in_text_beyond_ascii():
    body = "Les douanes ont saisi twenty-five tonnes au café, puis 1,500 tonnes."
    assert located(body, "saisi twenty-five tonnes", "25").value_printed == "twenty-five"
    assert located(body, "au café, puis 1,500 tonnes", "1500").value_printed == "1,500"


@pytest.mark.django_db
def test_it_locates_every_claim_of_an_article_in_one_prepared_body_where_it_is_stored(seed):
    bodies = {}
    for saved in Claim.objects.select_related("article", "figure"):
        claim = Claim(article=saved.article, figure=saved.figure, quote=saved.quote, value=saved.value,
                      unit=saved.unit, bound=saved.bound)  # fmt: skip
        locate(claim, bodies.setdefault(saved.article_id, Body(saved.article.body)))
        assert claim.located_fields() == saved.located_fields()


@pytest.mark.parametrize(
    "quote, value, unit, measure, message",
    [
        ("a total 1.64 tons of endangered species", "1.64", "kg", "weight_seized",
         "The quote prints “1.64 tons”: the unit should be tonnes, not kilograms."),
        ("545 kilograms of ivory", "545", "count", "cases",
         "The quote prints “545 kilograms”: the unit should be kilograms, not count."),
        ("2,550 cubic meters of timber", "2550", "count", "cases",
         "The quote prints “2,550 cubic meters”: the unit should be cubic metres, not count."),
        ("545kg of ivory", "545", "t", "weight_seized",
         "The quote prints “545kg”: the unit should be kilograms, not tonnes."),
        ("half a tonne of ivory", "0.5", "kg", "weight_seized",
         "The quote prints “half a tonne”: the unit should be tonnes, not kilograms."),
        ("5 containers of waste", "5", "t", "weight_seized",
         "The quote prints “5 containers”: the unit should be count, not tonnes."),
    ],
)  # fmt: skip
def test_it_refuses_a_unit_the_quote_contradicts_naming_both(quote, value, unit, measure, message):
    assert refusal(quote, quote, value, unit=unit, measure=measure) == {"unit": [message]}


@pytest.mark.parametrize(
    "quote, value, unit, measure",
    [
        ("a total 1.64 tons of endangered species", "1.64", "t", "weight_seized"),
        ("with the amount totaling 1,237 metric tons", "1237", "t", "weight_seized"),
        ("1,828 cases were handled", "1828", "count", "cases"),
        ("decreased by 23 percent", "-23", "percent", "year_on_year_change"),
        # No unit printed: the editor's choice stands.
        ("customs seized 73 of them", "73", "t", "weight_seized"),
        ("the haul, 4,000 in all", "4000", "kg", "weight_seized"),
        ("officers said 545 seized at the port were ivory", "545", "kg", "weight_seized"),
    ],
)
def test_it_takes_a_unit_the_quote_prints_or_does_not_print(quote, value, unit, measure):
    assert located(quote, quote, value, unit=unit, measure=measure).unit == unit


def test_it_takes_a_number_printed_twice_where_it_is_printed_in_the_claim_s_unit():
    quote = "545 kg in all, and 545 cases"
    assert located(quote, quote, "545", unit="kg").value_start == 0
    assert located(quote, quote, "545", unit="count", measure="cases").value_start == quote.rindex("545")


@pytest.mark.parametrize(
    "quote, printed",
    [
        ("between 3,000 and 4,000 tonnes", "between 3,000 and 4,000"),
        ("3,000 to 4,000 tonnes", "3,000 to 4,000"),
        ("3,000-4,000 tonnes", "3,000-4,000"),
        ("3,000–4,000 t", "3,000–4,000"),
    ],
)
def test_it_reads_a_printed_range_as_one_claim_of_a_low_and_a_high_value(quote, printed):
    claim = located(quote, quote, "3000", value_high=Decimal(4000))
    assert claim.value_printed == printed
    assert (claim.normalised_value, claim.normalised_high) == (Decimal(3_000_000), Decimal(4_000_000))


def test_it_refuses_one_end_of_a_range_claimed_as_a_single_number_and_a_range_not_printed():
    assert refusal("3,000 to 4,000 tonnes", "3,000 to 4,000 tonnes", "3000") == {
        "value_high": ["The quote prints the range “3,000 to 4,000”: give 4,000 as the high value."]
    }
    assert refusal("3,000 tonnes", "3,000 tonnes", "3000", value_high=Decimal(4000)) == {
        "value_high": ["The quote prints “3,000”, not a range: leave the high value empty."]
    }
    assert refusal("3,000 to 4,000 tonnes", "3,000 to 4,000 tonnes", "3000", value_high=Decimal(3000)) == {
        "value_high": ["The top of a range is larger than its value, 3,000."]
    }


def test_it_reads_a_change_from_one_number_to_another_as_two_numbers():
    quote = "seizures rose from 3,000 to 4,000 tonnes"
    assert located(quote, quote, "4000").value_printed == "4,000"
