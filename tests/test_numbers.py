from decimal import Decimal

import pytest

from archive.printed_numbers import figures_in, find_numbers


def values(text):
    return [(number.value, number.text, number.bound) for number in find_numbers(text)]


@pytest.mark.parametrize(
    "text, value, printed",
    [
        ("with the amount totaling 1,237 metric tons", "1237", "1,237"),
        ("a total 1.64 tons of endangered species", "1.64", "1.64"),
        ("involving 696,900 tons of waste", "696900", "696,900"),
        ("decreased by 23 percent", "23", "23 percent"),
        ("down 23% on last year", "23", "23%"),
        ("rose 5 per cent", "5", "5 per cent"),
        ("some 1.2 million birds", "1200000", "some 1.2 million"),
        ("two dozen suspects", "24", "two dozen"),
        ("half a tonne of ivory", "0.5", "half"),
        ("half a million pangolin scales", "500000", "half a million"),
        ("two hundred and fifty officers", "250", "two hundred and fifty"),
        ("twenty-five countries", "25", "twenty-five"),
    ],
)
def test_it_reads_the_forms_newsrooms_print(text, value, printed):
    [number] = find_numbers(text)
    assert number.value == Decimal(value)
    assert number.text == printed


@pytest.mark.parametrize(
    "text, bound",
    [
        ("seized roughly 1,500 tons", "about"),
        ("nearly 10,000 marine wildlife species", "nearly"),
        ("more than 300 cases", "more_than"),
        ("at least 12 arrests", "at_least"),
        ("up to 40 tonnes", "up_to"),
        ("a total of 1,828 cases", "exact"),
    ],
)
def test_it_reads_the_bound_printed_before_a_number(text, bound):
    [number] = find_numbers(text)
    assert number.bound == bound


def test_it_does_not_read_numbers_glued_to_words_or_lone_articles():
    assert values("5G technology in a pair of joint operations") == []


def test_it_gives_the_precision_the_text_printed():
    assert [n.precision for n in find_numbers("1,237 and 1.64 and 1,500 and 10,000")] == [
        Decimal(1),
        Decimal("0.01"),
        Decimal(100),
        Decimal(10000),
    ]


def test_it_leaves_dates_and_times_out_of_the_figures_in_a_body():
    body = (
        "Published: 2019/11/26 21:58:40. From January to October 2019, held from June 4 to 30 and "
        "from Sept 2 to 30, customs handled 444 cases."
    )
    assert [number.text for number in figures_in(body)] == ["444"]
