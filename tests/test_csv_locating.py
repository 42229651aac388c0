"""The bulk import's quote finder must agree with the model's on every text."""

import re
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import numbers
from archive.csv.locating import Body, digits_number, locate, printed_value
from archive.models import Article, Claim, Figure, find_quote
from archive.vocabulary import Bound

WHITESPACE = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
WORDS = ["a", "ab", "b", "1,237", "tons", "(x)", ".", "a.b", "*", "é", "\\s"]

pieces = st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet=WHITESPACE, min_size=1, max_size=3)), max_size=30)


def test_regex_and_str_split_agree_on_every_whitespace_character():
    space = re.compile(r"\s")
    assert [chr(code) for code in range(sys.maxunicode + 1) if space.match(chr(code))] == WHITESPACE


@settings(max_examples=500)
@given(body=pieces, quote=pieces)
def test_it_finds_any_quote_where_the_model_does(body, quote):
    body, quote = "".join(body), "".join(quote)
    assert Body(body).find(quote) == find_quote(body, quote)


@settings(max_examples=500)
@given(body=pieces, data=st.data())
def test_it_finds_a_quote_cut_from_the_body_with_other_whitespace_where_the_model_does(body, data):
    body = "".join(body)
    start = data.draw(st.integers(0, len(body)))
    end = data.draw(st.integers(start, len(body)))
    spaces = data.draw(st.sampled_from(WHITESPACE))
    quote = re.sub(r"\s+", spaces, body[start:end])
    assert Body(body).find(quote) == find_quote(body, quote)


def located(claim):
    return claim.located_fields()


@pytest.mark.django_db
def test_it_locates_every_seed_claim_as_the_model_does(seed):
    bodies = {}
    for saved in Claim.objects.select_related("article", "figure"):
        claim = Claim(article=saved.article, figure=saved.figure, quote=saved.quote, value=saved.value,
                      unit=saved.unit, bound=saved.bound)  # fmt: skip
        body = bodies.setdefault(saved.article_id, Body(saved.article.body))
        locate(claim, body)
        assert located(claim) == located(saved)


NOT_IN_BODY = "This quote does not appear in the body of the article “A”."
WRONG_UNIT = "Count cannot measure “weight seized”; use kilograms, tonnes."
WRONG_BOUND = "The quote prints “roughly 1,500”: the bound should be “about”, not “exactly”."
TOO_LONG = "A quote is at most 2,000 characters; this one has 2,001."


@pytest.mark.parametrize(
    ("quote", "unit", "error"),
    [
        ("which seized 2,000 tons", "t", {"quote": [NOT_IN_BODY]}),
        ("roughly 1,500 tons", "count", {"unit": [WRONG_UNIT]}),
        ("roughly 1,500 tons", "t", {"bound": [WRONG_BOUND]}),
        ("x" * 2001, "t", {"quote": [TOO_LONG]}),
    ],
)
def test_it_raises_the_models_own_errors(quote, unit, error):
    article = Article(title="A", body="Customs seized roughly 1,500 tons\n\nof waste.")
    figure = Figure(pk=1, measure="weight_seized")
    claim = Claim(article=article, figure=figure, quote=quote, value=Decimal(1500), unit=unit)

    with pytest.raises(ValidationError) as raised:
        locate(claim, Body(article.body))

    assert raised.value.message_dict == error


TEXT = ["1,237", "1.64", "23", "2,550", "0", "100", "1.2 million", "52 percent", "3%", "2019", "June 4", "a", "nearly",
        "roughly", "more than", "up to", "tons", "fell", "rose", "twenty-five", "one", "ten", "Five", ",", ".", "-",
        "(", "café", "½", "ſeven", "7", "5", "25", "10", "1"]  # fmt: skip
passages = st.lists(st.sampled_from(TEXT), max_size=12).map(" ".join)


@settings(max_examples=500)
@given(passages)
def test_it_reads_numbers_in_digits_as_the_model_does(passage):
    assert [digits_number(passage, match) for match in numbers.DIGITS.finditer(passage)] == [
        number for number in numbers.find_numbers(passage) if numbers.DIGITS.match(passage, number.start)
    ]


def outcome(function, *args):
    try:
        return function(*args)
    except ValidationError as error:
        return error.message_dict


@settings(max_examples=1000)
@given(passage=passages, value=st.sampled_from(["1237", "1.64", "23", "-23", "1200000", "25", "5", "3", "0", "7"]),
       bound=st.sampled_from(Bound.values))  # fmt: skip
def test_it_finds_the_printed_value_as_the_model_does(passage, value, bound):
    article = Article(title="A", body=passage)
    claim = Claim(article=article, value=Decimal(value), bound=bound, quote_start=0, quote_end=len(passage))

    assert outcome(printed_value, claim, passage) == outcome(claim._printed_value)
