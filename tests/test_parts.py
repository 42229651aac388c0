"""Parts and wholes: an editor states that an organisation or scope is part of another in an
operation, and a part's value is then flagged when it equals or exceeds its whole's
(`archive/parts.py`), on the public pages and in the import reports.

The seed states China customs within all participating countries of both operations, and Global
Times gives China the 232 Demeter V cases China Daily gives all participants.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive.models import Article, Claim, Figure, Operation, Organisation, Outlet, PartOf
from archive.parts import EQUALS, EXCEEDS, WORDS, compare, flags_for
from archive.status import Reading
from tests.csv_support import export_csv, import_csv
from tests.test_public_pages import visible

CHINA_CASES = "demeter-v-cases-china-customs"
ALL_CASES = "demeter-v-cases-all-countries"
EQUALS_WORDS = "Part equals whole: likely the whole's figure given to a part."
EXCEEDS_WORDS = "Part exceeds whole: impossible as stated."


def reading(value, bound="exact", precision=1, high=None):
    return Reading(1, Decimal(value), bound, Decimal(precision), None if high is None else Decimal(high))


@pytest.mark.parametrize(
    ("part", "whole", "flag"),
    [
        (reading(232), reading(232), EQUALS),
        # Printed as 4,585 t and 4,584.7 t: the same amount once each is widened by its precision.
        (reading(4_585_000, precision=1000), reading(4_584_700, precision=100), EQUALS),
        (reading(1500, "about", 100), reading(1500), EQUALS),
        (reading(234), reading(232), EQUALS),  # 233 is within both once widened by 1
        (reading(235), reading(232), EXCEEDS),
        (reading(300, "more_than"), reading(232), EXCEEDS),
        (reading(1000, "about", 10), reading(800), EXCEEDS),  # about 1,000 is at least 900
        (reading(85), reading(232), None),
        (reading(229), reading(232), None),
        (reading(5000), reading(1000, "more_than"), None),  # the whole may be 5,000: no flag either way
        (reading(3000, high=4000), reading(3000, high=4000), EQUALS),
    ],
)
def test_it_compares_a_part_with_its_whole_at_the_precision_each_was_printed_with(part, whole, flag):
    assert compare(part, whole) == flag


@pytest.fixture
def xinhua(seed):
    """A third outlet's article, published after the debriefing, that prints other Demeter V numbers."""
    return Article.objects.create(
        outlet=Outlet.objects.create(name="Xinhua", slug="xinhua"),
        title="China customs' part in Demeter V",
        slug="xinhua-demeter",
        published_on=date(2019, 11, 28),
        body="China customs cracked 301 cases in Demeter V. All participants seized 4,585 tons.",
        status="published",
    )


def claim(article, figure, quote, value, unit="count"):
    return Claim.objects.create(
        article=article,
        figure=Figure.objects.get(slug=figure),
        quote=quote,
        value=Decimal(value),
        unit=unit,
        status="published",
    )


def flags_of(slug):
    figure = Figure.objects.get(slug=slug)
    return [
        (flag.kind, flag.part.outlet, flag.part.figure_slug, flag.whole.outlet, flag.whole.figure_slug)
        for flag in flags_for([figure]).get(figure.pk, [])
    ]


def test_it_flags_the_seeds_232_cases_given_to_china_as_part_equals_whole(seed):
    flag = (EQUALS, "Global Times", CHINA_CASES, "China Daily", ALL_CASES)
    assert flags_of(CHINA_CASES) == [flag]
    assert flags_of(ALL_CASES) == [flag]
    # China Daily's 85 for China is smaller than the whole: no flag. Nor Thunderball's 73 of 1,828.
    assert flags_of("thunderball-2019-cases-china-customs") == []
    assert set(flags_for()) == set(
        Figure.objects.filter(slug__in=[CHINA_CASES, ALL_CASES]).values_list("pk", flat=True)
    )


def test_it_flags_a_part_that_exceeds_its_whole(xinhua):
    claim(xinhua, CHINA_CASES, "China customs cracked 301 cases in Demeter V", 301)
    assert (EXCEEDS, "Xinhua", CHINA_CASES, "China Daily", ALL_CASES) in flags_of(CHINA_CASES)


def test_it_compares_only_what_is_stated_as_part_of_a_whole(seed):
    PartOf.objects.filter(operation__slug="demeter-v").delete()
    assert flags_of(CHINA_CASES) == []


def test_it_compares_only_the_same_measure_subject_and_period(seed):
    Figure.objects.filter(slug=ALL_CASES).update(period_end=date(2019, 10, 31))
    assert flags_of(CHINA_CASES) == []
    Figure.objects.filter(slug=ALL_CASES).update(period_end=date(2019, 9, 30), subject="marine wildlife")
    assert flags_of(CHINA_CASES) == []
    Figure.objects.filter(slug=ALL_CASES).update(subject="Solid waste smuggling ")  # case and spaces aside
    assert flags_of(CHINA_CASES) != []


def test_it_compares_weights_in_the_base_unit(xinhua):
    whole = Figure.objects.create(
        slug="demeter-v-waste-all",
        title="Waste seized by all participants in Demeter V",
        measure="weight_seized",
        subject="solid waste",
        organisation=Organisation.objects.get(slug="all-participating-countries"),
        operation=Operation.objects.get(slug="demeter-v"),
        period_start=date(2019, 9, 2),
        period_end=date(2019, 9, 30),
    )
    claim(xinhua, whole.slug, "All participants seized 4,585 tons", 4585, unit="t")
    # Global Times' 4,585 t for China, and China Daily's "roughly 1,500 tons", far below.
    assert flags_of(whole.slug) == [
        (EQUALS, "Global Times", "demeter-v-waste-seized-china-customs", "Xinhua", whole.slug)
    ]


def test_it_refuses_a_part_of_itself_and_a_whole_stated_as_part_of_its_part(seed):
    operation = Operation.objects.get(slug="demeter-v")
    china, everyone = (
        Organisation.objects.get(slug="gacc"),
        Organisation.objects.get(slug="all-participating-countries"),
    )
    with pytest.raises(ValidationError, match="cannot be part of itself"):
        PartOf(operation=operation, part=china, whole=china).full_clean()
    with pytest.raises(ValidationError, match="already stated as part of"):
        PartOf(operation=operation, part=everyone, whole=china).full_clean()


def test_it_shows_the_flag_with_its_rule_on_the_figure_and_operation_pages(client, seed):
    for url in (
        reverse("archive:figure_detail", args=[CHINA_CASES]),
        reverse("archive:operation_detail", args=["demeter-v"]),
    ):
        response = client.get(url)
        page = visible(response)
        assert EQUALS_WORDS in page, url
        assert "Global Times gives 232 for Cases involving China customs" in page
        assert f'href="{reverse("archive:methodology")}#parts"' in response.text
    assert EQUALS_WORDS not in visible(client.get(reverse("archive:operation_detail", args=["thunderball-2019"])))
    methodology = visible(client.get(reverse("archive:methodology")))
    assert WORDS[EQUALS].capitalize() in methodology
    assert WORDS[EXCEEDS].capitalize() in methodology


def test_it_shows_a_part_exceeding_its_whole(client, xinhua):
    claim(xinhua, CHINA_CASES, "China customs cracked 301 cases in Demeter V", 301)
    assert EXCEEDS_WORDS in visible(client.get(reverse("archive:figure_detail", args=[ALL_CASES])))


def test_it_exports_and_imports_the_parts_and_wholes(tmp_path, seed):
    exported = export_csv("parts")
    assert exported.splitlines()[:2] == [
        "operation,part,whole,note",
        'demeter-v,GACC,All participating countries,"China Daily: “a total of 232 cases were cracked, '
        'of which 85 cases involved China customs”."',
    ]
    PartOf.objects.all().delete()
    result = import_csv(tmp_path, "parts", exported)
    assert result.ok, result.err
    assert PartOf.objects.count() == 2
    assert "part equals whole: likely the whole's figure given to a part: Global Times gives “232”" in result.out
    again = import_csv(tmp_path, "parts", exported)
    assert again.ok and "2 unchanged" in again.out and "part equals" not in again.out


def test_it_refuses_a_parts_row_naming_nothing_or_the_same_statement_twice(tmp_path, seed):
    rows = [
        ["operation", "part", "whole", "note"],
        ["demeter-v", "WCO", "All participating countries", ""],
        ["demeter-v", "World Customs Organization", "all-participating-countries", "again"],
        ["demeter-v", "Nobody", "All participating countries", ""],
        ["demeter-v", "GACC", "GACC", ""],
    ]
    result = import_csv(tmp_path, "parts", rows)
    assert not result.ok
    assert any("row 3" in line and "already imports" in line for line in result.problems), result.problems
    assert any("row 4" in line and "Nobody" in line for line in result.problems), result.problems
    assert any("row 5" in line and "cannot be part of itself" in line for line in result.problems), result.problems
    assert PartOf.objects.count() == 2


def test_the_claims_import_reports_the_flags_it_creates(tmp_path, xinhua):
    rows = [
        ["article", "figure", "quote", "value", "unit", "bound", "status"],
        [
            "xinhua-demeter",
            CHINA_CASES,
            "China customs cracked 301 cases in Demeter V",
            "301",
            "count",
            "exact",
            "published",
        ],
    ]
    result = import_csv(tmp_path, "claims", rows)
    assert result.ok, result.err
    assert (
        "part exceeds whole: impossible as stated: Xinhua gives “301” to “Cases involving China customs in Operation "
        f"Demeter V, September 2019” ({CHINA_CASES}), and China Daily “232” to its whole" in result.out
    )
    assert "part equals whole" not in result.out  # the seed's flag was there before


def test_an_editor_states_a_part_in_the_admin_with_its_history(editor_client, seed):
    data = {
        "operation": Operation.objects.get(slug="thunderball-2019").pk,
        "part": Organisation.objects.get(slug="wco").pk,
        "whole": Organisation.objects.get(slug="all-participating-countries").pk,
        "note": "",
        "version": 1,
    }
    response = editor_client.post(reverse("admin:archive_partof_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stated = PartOf.objects.get(part__slug="wco")
    assert stated.history.count() == 1
    data["whole"] = data["part"]
    response = editor_client.post(reverse("admin:archive_partof_change", args=[stated.pk]), data)
    assert "cannot be part of itself" in response.text
