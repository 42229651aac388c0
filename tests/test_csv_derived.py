"""What a claims import reports of the figures it changed."""

import pytest

from archive.csv_io.derived import Flags, notices
from archive.models import Claim, Figure

pytestmark = pytest.mark.django_db


def test_notices_name_the_figures_an_import_changed(seed):
    before = Flags.now()
    waste = Figure.objects.get(slug="demeter-v-waste-seized-china-customs")
    Claim.objects.filter(figure=waste, article__slug__startswith="global-times").delete()

    assert notices(before, Flags.now()) == [
        "figure “Waste seized by China customs in Operation Demeter V, September 2019” "
        "(demeter-v-waste-seized-china-customs) is no longer disputed"
    ]
