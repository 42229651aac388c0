from decimal import Decimal as D

from archive.status import Reading, figure_status


def reading(article, value, bound="exact", precision="1"):
    return Reading(article, D(value), bound, D(precision))


def test_it_is_unsourced_without_readings():
    assert figure_status([]) == "unsourced"


def test_it_is_single_when_one_article_states_it_even_twice():
    assert figure_status([reading(1, "444"), reading(1, "445")]) == "single"


def test_it_is_consistent_when_exact_values_agree():
    assert figure_status([reading(1, "444"), reading(2, "444")]) == "consistent"


def test_it_is_consistent_when_units_differ_but_amounts_agree():
    # 1.64 t and 1,640 kg, both already in kg as the model stores them.
    assert figure_status([reading(1, "1640", precision="10"), reading(2, "1640")]) == "consistent"


def test_it_is_consistent_when_a_bound_covers_the_other_value():
    assert figure_status([reading(1, "10000", "nearly", "10000"), reading(2, "9500")]) == "consistent"
    assert figure_status([reading(1, "1500", "about", "100"), reading(2, "1600")]) == "consistent"
    assert figure_status([reading(1, "300", "more_than", "100"), reading(2, "412")]) == "consistent"
    assert figure_status([reading(1, "40", "up_to", "10"), reading(2, "12")]) == "consistent"


def test_it_is_minor_when_values_differ_by_the_printed_precision():
    # 1,237 vs 1,238 tonnes, in kg with a precision of one tonne.
    assert figure_status([reading(1, "1237000", precision="1000"), reading(2, "1238000", precision="1000")]) == "minor"


def test_it_is_disputed_beyond_the_printed_precision():
    assert figure_status([reading(1, "1237000", precision="1000"), reading(2, "1240000", precision="1000")]) == (
        "disputed"
    )


def test_it_is_disputed_when_roughly_1500_meets_4585():
    assert figure_status([reading(1, "1500", "about", "100"), reading(2, "4585")]) == "disputed"


def test_it_is_disputed_when_a_lower_bound_is_not_met():
    assert figure_status([reading(1, "300", "at_least", "100"), reading(2, "150", precision="10")]) == "disputed"


def test_a_range_is_read_as_its_interval_widened_by_its_bound():
    between = Reading(1, D("3000"), "exact", D("1000"), high=D("4000"))
    about = Reading(1, D("3000"), "about", D("1000"), high=D("4000"))
    assert figure_status([between, reading(2, "3500")]) == "consistent"
    assert figure_status([between, reading(2, "4000")]) == "consistent"
    assert figure_status([between, reading(2, "4001")]) == "minor"
    assert figure_status([between, reading(2, "5002")]) == "disputed"
    assert figure_status([about, reading(2, "4400")]) == "consistent"
    assert figure_status([about, reading(2, "2700")]) == "consistent"
    assert figure_status([about, reading(2, "2699")]) == "minor"
