"""The archive's controlled vocabularies: measures, units and bounds.

Each unit and each bound is defined once, here, with everything the archive does with it: the
words a text prints for it (read by `archive/printed_numbers.py`), what it means to the status
rule (`archive/status.py`), how public pages word it (`archive/views/wording.py`) and the value
CSV files and the database store. The choices of the model fields are derived from these
definitions, so adding a unit or a bound is one entry here and a migration.

Each unit belongs to one dimension and converts to that dimension's base unit by a factor; a
claim's unit must share the dimension of its figure's measure, so 1,237 t and 1,237,000 kg are
the same amount and 1,237 t and 1,237 cases never are.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models


class Dimension(models.TextChoices):
    COUNT = "count", "count"
    MASS = "mass", "mass"
    VOLUME = "volume", "volume"
    PERCENT = "percent", "percentage"


@dataclass(frozen=True)
class UnitTerm:
    name: str  # the choice's name in code: Unit.TONNE
    code: str  # stored, and written in CSV files
    label: str  # in the admin and in CSV messages
    singular: str  # public pages, in words: "1 tonne", "1,237 tonnes"
    plural: str
    symbol: str  # public pages, in short: "1,237 t"
    dimension: str
    factor: Decimal  # to the dimension's base unit
    # What a text prints right after a number in this unit, lower case. A count prints a plain
    # noun instead ("1,828 cases"): any word that is not a unit's and not one of FUNCTION_WORDS.
    printed: tuple


UNITS = (
    UnitTerm("COUNT", "count", "count", "", "", "", Dimension.COUNT, Decimal(1), ()),
    UnitTerm(
        "KILOGRAM",
        "kg",
        "kilograms",
        "kilogram",
        "kilograms",
        "kg",
        Dimension.MASS,
        Decimal(1),
        ("kg", "kgs", "kilogram", "kilograms", "kilogramme", "kilogrammes", "kilo", "kilos"),
    ),
    UnitTerm(
        "TONNE",
        "t",
        "tonnes",
        "tonne",
        "tonnes",
        "t",
        Dimension.MASS,
        Decimal(1000),
        # Newsrooms print "tons" for metric tonnes, as both founding articles do.
        ("t", "tonne", "tonnes", "ton", "tons", "metric ton", "metric tons", "metric tonne", "metric tonnes"),
    ),
    UnitTerm(
        "CUBIC_METRE",
        "m3",
        "cubic metres",
        "cubic metre",
        "cubic metres",
        "m³",
        Dimension.VOLUME,
        Decimal(1),
        ("m3", "m³", "cubic metre", "cubic metres", "cubic meter", "cubic meters"),
    ),
    UnitTerm(
        "PERCENT",
        "percent",
        "percent",
        "percent",
        "percent",
        "%",
        Dimension.PERCENT,
        Decimal(1),
        ("%", "percent", "per cent", "percentage point", "percentage points"),
    ),
)

# Words after a number that print no unit: "73 of them", "1,828 were seized", "4,000 a year".
FUNCTION_WORDS = frozenset(
    """a an the of and or nor but to in on at by for from with within into onto per than as so
    is are was were be been being has have had will would could can may might must shall should
    do does did not no this that these those which who whom whose what when where while it its
    they them their he she his her we our you your i up down over under more less fewer further
    each respectively alone altogether together total overall only about around since until
    after before between among against during via also too very just still even then there""".split()
)

ABOUT_MARGIN = Decimal("0.1")
INFINITY = Decimal("Infinity")


@dataclass(frozen=True)
class BoundTerm:
    name: str
    code: str
    label: str  # in the admin and in messages: "exactly", "about"
    prefix: str  # before the amount on public pages: "about 1,500 t"
    # The words a text prints just before a number that put this bound on it, lower case.
    printed: tuple
    # The status rule's reading of a value, or of a range (low, high), as the amounts it allows.
    interval: object
    meaning: str  # the reading, in words, on the figure page


UP_TO_LOW = Decimal(0)

BOUNDS = (
    BoundTerm("EXACT", "exact", "exactly", "", (), lambda low, high: (low, high), "stated as an exact number"),
    BoundTerm(
        "ABOUT",
        "about",
        "about",
        "about",
        ("about", "around", "roughly", "approximately", "some", "an estimated", "an estimate of"),
        lambda low, high: (low * (1 - ABOUT_MARGIN), high * (1 + ABOUT_MARGIN)),
        "about: read as anything within 10% either way",
    ),
    BoundTerm(
        "NEARLY",
        "nearly",
        "nearly",
        "nearly",
        ("nearly", "almost", "close to", "just under"),
        lambda low, high: (low * (1 - ABOUT_MARGIN), high),
        "nearly: read as up to 10% below",
    ),
    BoundTerm(
        "MORE_THAN",
        "more_than",
        "more than",
        "more than",
        ("more than", "over", "in excess of", "upwards of"),
        lambda low, high: (low, INFINITY),
        "more than: read as this or any larger amount",
    ),
    BoundTerm(
        "AT_LEAST",
        "at_least",
        "at least",
        "at least",
        ("at least", "no fewer than", "no less than"),
        lambda low, high: (low, INFINITY),
        "at least: read as this or any larger amount",
    ),
    BoundTerm(
        "UP_TO",
        "up_to",
        "up to",
        "up to",
        ("up to", "as many as", "as much as"),
        lambda low, high: (min(low, UP_TO_LOW), high),
        "up to: read as this or any smaller amount",
    ),
)

Unit = models.TextChoices("Unit", [(term.name, (term.code, term.label)) for term in UNITS])
Bound = models.TextChoices("Bound", [(term.name, (term.code, term.label)) for term in BOUNDS])
UNIT = {term.code: term for term in UNITS}
BOUND = {term.code: term for term in BOUNDS}

UNIT_DIMENSION = {code: term.dimension for code, term in UNIT.items()}
UNIT_FACTOR = {code: term.factor for code, term in UNIT.items()}
BASE_UNIT = {Dimension(term.dimension): Unit(term.code) for term in UNITS if term.factor == 1}


class Measure(models.TextChoices):
    CASES = "cases", "cases"
    SEIZURES = "seizures", "seizures"
    WEIGHT_SEIZED = "weight_seized", "weight seized"
    VOLUME_SEIZED = "volume_seized", "volume seized"
    ITEMS_SEIZED = "items_seized", "items seized"
    SUSPECTS = "suspects", "suspects identified"
    ARRESTS = "arrests", "arrests"
    PARTICIPATING_COUNTRIES = "participating_countries", "participating countries"
    YEAR_ON_YEAR_CHANGE = "year_on_year_change", "year-on-year change"


MEASURE_DIMENSION = {
    Measure.CASES: Dimension.COUNT,
    Measure.SEIZURES: Dimension.COUNT,
    Measure.WEIGHT_SEIZED: Dimension.MASS,
    Measure.VOLUME_SEIZED: Dimension.VOLUME,
    Measure.ITEMS_SEIZED: Dimension.COUNT,
    Measure.SUSPECTS: Dimension.COUNT,
    Measure.ARRESTS: Dimension.COUNT,
    Measure.PARTICIPATING_COUNTRIES: Dimension.COUNT,
    Measure.YEAR_ON_YEAR_CHANGE: Dimension.PERCENT,
}


# Measures that count the same kind of thing, so one may be another's number given under another
# name: a misattribution hint (`archive/misattribution.py`) links values of these only. A measure
# in no group compares with itself alone: 109 arrests and 109 participating countries never link.
COMPARABLE_MEASURES = (
    frozenset({Measure.CASES, Measure.SEIZURES}),
    frozenset({Measure.SUSPECTS, Measure.ARRESTS}),
)
MEASURE_COMPARISON = {measure: group for group in COMPARABLE_MEASURES for measure in group}


def comparison_group(measure):
    """The measures `measure` may be compared with, itself included."""
    return MEASURE_COMPARISON.get(measure, frozenset({Measure(measure)}))


class Status(models.TextChoices):
    DRAFT = "draft", "draft"
    PUBLISHED = "published", "published"


class FigureStatus(models.TextChoices):
    UNSOURCED = "unsourced", "no published source"
    SINGLE = "single", "single source"
    CONSISTENT = "consistent", "sources agree"
    MINOR = "minor", "minor difference"
    DISPUTED = "disputed", "disputed"


def units_for(measure):
    dimension = MEASURE_DIMENSION[measure]
    return [unit for unit, unit_dimension in UNIT_DIMENSION.items() if unit_dimension == dimension]


def to_base_unit(value, unit):
    return value * UNIT_FACTOR[unit]
