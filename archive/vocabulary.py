"""The archive's controlled vocabularies: measures, units and bounds.

Each unit belongs to one dimension and converts to that dimension's base unit by
a factor; a claim's unit must share the dimension of its figure's measure, so
1,237 t and 1,237,000 kg are the same amount and 1,237 t and 1,237 cases never
are. docs/data-model.md documents the same tables for editors.
"""

from decimal import Decimal

from django.db import models


class Dimension(models.TextChoices):
    COUNT = "count", "count"
    MASS = "mass", "mass"
    VOLUME = "volume", "volume"
    PERCENT = "percent", "percentage"


class Unit(models.TextChoices):
    COUNT = "count", "count"
    KILOGRAM = "kg", "kilograms"
    TONNE = "t", "tonnes"
    CUBIC_METRE = "m3", "cubic metres"
    PERCENT = "percent", "percent"


UNIT_DIMENSION = {
    Unit.COUNT: Dimension.COUNT,
    Unit.KILOGRAM: Dimension.MASS,
    Unit.TONNE: Dimension.MASS,
    Unit.CUBIC_METRE: Dimension.VOLUME,
    Unit.PERCENT: Dimension.PERCENT,
}

# Factor to the dimension's base unit (count, kg, m3, percent).
UNIT_FACTOR = {
    Unit.COUNT: Decimal(1),
    Unit.KILOGRAM: Decimal(1),
    Unit.TONNE: Decimal(1000),
    Unit.CUBIC_METRE: Decimal(1),
    Unit.PERCENT: Decimal(1),
}

BASE_UNIT = {
    Dimension.COUNT: Unit.COUNT,
    Dimension.MASS: Unit.KILOGRAM,
    Dimension.VOLUME: Unit.CUBIC_METRE,
    Dimension.PERCENT: Unit.PERCENT,
}


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


class Bound(models.TextChoices):
    EXACT = "exact", "exactly"
    ABOUT = "about", "about"
    NEARLY = "nearly", "nearly"
    MORE_THAN = "more_than", "more than"
    AT_LEAST = "at_least", "at least"
    UP_TO = "up_to", "up to"


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
