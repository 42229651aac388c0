"""How the public site words numbers and differences, marks quotes in a body, and draws its chart."""

import html
import re
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from archive.models import Article, Claim, Figure, Outlet
from archive.views.chart import PLOT_RIGHT, bar_chart
from archive.views.highlight import highlighted_paragraphs, passages, quote_in_context
from archive.views.wording import amount, difference, disagreements, source_labels
from archive.vocabulary import UNIT_FACTOR

FIGURE = Figure(slug="a-figure", title="A figure")


def claim(pk, start=0, end=1, value="1", unit="t", bound="exact", article=None, high=None):
    value = Decimal(value)
    high = None if high is None else Decimal(high)
    made = Claim(
        pk=pk,
        quote_start=start,
        quote_end=end,
        value=value,
        value_high=high,
        unit=unit,
        bound=bound,
        normalised_value=value * UNIT_FACTOR[unit],
        normalised_high=None if high is None else high * UNIT_FACTOR[unit],
        figure=FIGURE,
    )
    if article:
        made.article = article
    return made


def article(pk, outlet, published_on=date(2019, 11, 26)):
    return Article(pk=pk, outlet=Outlet(pk=hash(outlet) % 1000, name=outlet), published_on=published_on, title=f"A{pk}")


def plain(safe_html):
    """The text a reader sees, without the links to figures that follow each passage."""
    without_links = re.sub(r'<span class="claim-refs">.*?</span>', "", str(safe_html))
    return html.unescape(re.sub(r"<[^>]+>", "", without_links))


class TestAmounts:
    def test_it_prints_thousands_separators_units_and_bounds(self):
        assert amount(Decimal("4585.000000"), "t") == "4,585 t"
        assert amount(Decimal("1500"), "t", "about") == "about 1,500 t"
        assert amount(Decimal("1500"), "t", "about", words=True) == "about 1,500 tonnes"
        assert amount(Decimal("1"), "t", words=True) == "1 tonne"
        assert amount(Decimal("10000"), "count", "nearly") == "nearly 10,000"
        assert amount(Decimal("2550"), "m3", words=True) == "2,550 cubic metres"
        assert amount(Decimal("1.64"), "t") == "1.64 t"

    def test_it_words_a_negative_value_as_a_decrease_in_either_style(self):
        assert amount(Decimal("-23"), "percent") == "a decrease of 23 percent"
        assert amount(Decimal("-23"), "percent", words=True) == "a decrease of 23 percent"
        assert amount(Decimal("-23"), "percent", "about") == "a decrease of about 23 percent"
        assert amount(Decimal("-30"), "percent", high=Decimal("-20")) == "a decrease of 20 to 30 percent"
        assert amount(Decimal("-5"), "percent", high=Decimal("5")) == "-5–5%"
        assert amount(Decimal("23"), "percent") == "23%"

    def test_it_prints_a_range_as_one_amount(self):
        assert amount(Decimal("3000"), "t", "about", high=Decimal("4000")) == "about 3,000–4,000 t"
        assert amount(Decimal("1"), "t", words=True, high=Decimal("2")) == "1 to 2 tonnes"
        assert amount(Decimal("20"), "percent", high=Decimal("25")) == "20–25%"


class TestDifferences:
    def test_it_says_how_many_times_higher_a_value_is_from_twice_as_high(self):
        gt, cd = article(1, "Global Times"), article(2, "China Daily")
        higher, lower = claim(1, value="4585", article=gt), claim(2, value="1500", bound="about", article=cd)
        assert difference(higher, lower) == "3.1 times higher (3,085 t more)"

    def test_it_says_how_many_times_as_many_for_counted_things(self):
        assert difference(claim(1, value="1828", unit="count"), claim(2, value="680", unit="count")) == (
            "2.7 times as many (1,148 more)"
        )
        assert difference(claim(1, value="150", unit="count"), claim(2, value="100", unit="count")) == (
            "50 more (50% higher)"
        )

    def test_it_says_how_much_more_and_by_what_percentage_below_twice(self):
        assert difference(claim(1, value="1238"), claim(2, value="1237")) == "1 t more (0.08% higher)"
        assert difference(claim(1, value="150"), claim(2, value="100")) == "50 t more (50% higher)"
        assert difference(claim(1, value="1030"), claim(2, value="1000")) == "30 t more (3% higher)"
        assert difference(claim(1, value="10000001"), claim(2, value="10000000")) == (
            "1 t more (less than 0.01% higher)"
        )

    def test_it_compares_a_range_by_its_nearest_end(self):
        assert difference(claim(1, value="5000"), claim(2, value="3000", high="4000")) == "1,000 t more (25% higher)"
        assert difference(claim(1, value="3500"), claim(2, value="3000", high="4000")) == "within the range"

    def test_it_compares_in_one_unit_when_sources_use_different_units(self):
        assert difference(claim(1, value="1.64", unit="t"), claim(2, value="1200", unit="kg")) == (
            "440 kg more (37% higher)"
        )

    def test_it_speaks_of_percentage_points_for_percentages(self):
        assert difference(claim(1, value="-23", unit="percent"), claim(2, value="-52", unit="percent")) == (
            "29 percentage points higher"
        )

    def test_it_gives_no_ratio_against_zero_and_says_when_values_are_equal(self):
        assert difference(claim(1, value="5", unit="count"), claim(2, value="0", unit="count")) == "5 more"
        assert difference(claim(1, value="444", unit="count"), claim(2, value="444", unit="count")) == (
            "the same amount"
        )

    def test_it_compares_only_claims_from_different_articles_largest_first(self):
        gt, cd = article(1, "Global Times"), article(2, "China Daily")
        claims = [
            claim(1, value="1500", bound="about", article=cd),
            claim(2, value="4585", article=gt),
            claim(3, value="1600", article=cd),
        ]
        assert disagreements(claims) == [
            "Global Times 4,585 t vs China Daily 1,600 t: 2.9 times higher (2,985 t more)",
            "Global Times 4,585 t vs China Daily about 1,500 t: 3.1 times higher (3,085 t more)",
        ]

    def test_it_names_an_outlet_with_two_articles_by_date(self):
        first, second = article(1, "China Daily", date(2019, 11, 27)), article(2, "China Daily", date(2019, 12, 3))
        second.outlet = first.outlet
        labels = source_labels([claim(1, article=first), claim(2, article=second)])
        assert labels == {1: "China Daily (27 Nov 2019)", 2: "China Daily (3 Dec 2019)"}


class TestHighlighting:
    def test_it_merges_quotes_that_overlap_but_not_quotes_that_touch(self):
        merged = passages([claim(1, 0, 10), claim(2, 5, 20), claim(3, 15, 30), claim(4, 30, 40)])
        assert [(p.start, p.end, [c.pk for c in p.claims]) for p in merged] == [(0, 30, [1, 2, 3]), (30, 40, [4])]

    def test_it_escapes_every_piece_of_the_body(self):
        body = 'Before <script>alert("x")</script> the <img src=x onerror=alert(1)> quote & after.'
        start, end = body.index("the <img"), body.index(" & after")
        [paragraph] = highlighted_paragraphs(body, [claim(7, start, end)])
        assert "<script>" not in paragraph and "<img" not in paragraph
        assert '<span class="anchor" id="claim-7"></span>the &lt;img src=x onerror=alert(1)&gt; quote' in paragraph
        assert plain(paragraph) == body

    def test_it_places_one_anchor_per_claim_where_its_quote_starts(self):
        body = "aaaa bbbb cccc dddd eeee"
        [paragraph] = highlighted_paragraphs(body, [claim(1, 0, 9), claim(2, 5, 19), claim(3, 5, 14)])
        assert paragraph.startswith(
            '<mark class="quote" data-claims="1 3 2"><span class="anchor" id="claim-1"></span>aaaa '
            '<span class="anchor" id="claim-3"></span><span class="anchor" id="claim-2"></span>bbbb cccc dddd</mark>'
        )

    def test_it_closes_and_reopens_a_mark_across_a_paragraph_break(self):
        body = "First line with a quote\nthat ends here. Last line."
        start, end = body.index("a quote"), body.index(" Last")
        paragraphs = highlighted_paragraphs(body, [claim(4, start, end)])
        assert [plain(p) for p in paragraphs] == ["First line with a quote", "that ends here. Last line."]
        assert paragraphs[0].count('id="claim-4"') == 1 and 'id="claim-4"' not in paragraphs[1]
        assert paragraphs[1].startswith('<mark class="quote" data-claims="4">that ends here.</mark>')
        assert 'class="claim-refs"' not in paragraphs[0] and 'class="claim-refs"' in paragraphs[1]

    @given(
        body=st.text(alphabet="ab <>&\"'\n", max_size=60),
        spans=st.lists(st.tuples(st.integers(0, 59), st.integers(1, 20)), max_size=6),
    )
    def test_it_keeps_the_text_and_every_anchor_whatever_the_overlaps(self, body, spans):
        claims = [
            claim(pk, start, min(start + length, len(body)))
            for pk, (start, length) in enumerate(spans, 1)
            if start < len(body) and body[start].strip()
        ]
        paragraphs = highlighted_paragraphs(body, claims)
        rendered = "".join(paragraphs)
        assert "<" not in re.sub(r"<[^>]+>", "", rendered)
        assert [plain(paragraph) for paragraph in paragraphs] == [line for line in body.split("\n") if line.strip()]
        for made in claims:
            assert rendered.count(f'id="claim-{made.pk}"') == 1


class TestQuoteInContext:
    def test_it_shows_the_quote_inside_its_sentence_with_the_value_in_bold(self):
        body = "First sentence. Later, during the month, officials seized 4,585 tonnes of waste. Next sentence."
        quote_start, quote_end, value_start = body.index("officials"), body.index(" of waste"), body.index("4,585")
        made = Claim(quote_start=quote_start, quote_end=quote_end, value_start=value_start, value_end=value_start + 5)
        shown = quote_in_context(made, body[:quote_start], body[quote_start:quote_end], body[quote_end:])
        assert str(shown) == (
            'Later, during the month, <mark class="quote">officials seized <strong>4,585</strong> tonnes</mark>'
            " of waste."
        )

    def test_it_marks_cut_context_with_an_ellipsis(self):
        made = Claim(quote_start=1000, quote_end=1010, value_start=1000, value_end=1003)
        shown = quote_in_context(made, "x" * 300, "123 tonnes", "y" * 300)
        assert str(shown).startswith("…x") and str(shown).endswith("y…")


class TestChart:
    def test_it_draws_a_range_for_bounded_values_and_an_open_end_for_more_than(self):
        gt, cd = article(1, "Global Times"), article(2, "China Daily")
        claims = [claim(1, value="4585", article=gt), claim(2, value="1500", bound="more_than", article=cd)]
        chart = bar_chart(claims, {1: "Global Times", 2: "China Daily"}, "t")
        exact, more = chart["rows"]
        assert exact.range_from is None and not exact.open_ended
        assert more.open_ended and more.range_to == PLOT_RIGHT
        assert exact.bar_width > more.bar_width * 3
        assert more.value_text == "more than 1,500 t"

    def test_it_puts_zero_inside_the_chart_for_decreases(self):
        gt = article(1, "Global Times")
        chart = bar_chart([claim(1, value="-23", unit="percent", article=gt)], {1: "Global Times"}, "percent")
        [row] = chart["rows"]
        assert row.value_text == "a decrease of 23 percent"
        assert row.bar_x < chart["zero"]
        assert row.bar_x + row.bar_width == chart["zero"]
