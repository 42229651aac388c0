"""What a claims import may change is the resource's own columns: none is listed anywhere else,
so a column added to the resource is stored, and one it does not read is left alone."""

import csv
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from import_export.fields import Field

from archive.csv_io.claims import ClaimImport
from archive.csv_io.reading import read_dataset
from archive.csv_io.resources import ClaimResource
from archive.csv_io.widgets import TextWidget
from archive.models import Claim

from .csv_support import CHINA_DAILY, SEVENTY_THREE, csv_text, export_csv

WITHOUT_NOTE = tuple(name for name in ClaimResource._meta.export_order if name != "note")


class RemarkedClaimResource(ClaimResource):
    """The claims format with a column added: the claim's note, as “remark”."""

    remark = Field(attribute="note", column_name="remark", widget=TextWidget())

    class Meta(ClaimResource.Meta):
        fields = export_order = (*WITHOUT_NOTE, "remark")


class NotelessClaimResource(ClaimResource):
    class Meta(ClaimResource.Meta):
        fields = export_order = WITHOUT_NOTE


def exported_rows(columns):
    """The seed's claims as the claims format writes them, in `columns`."""
    rows = list(csv.DictReader(io.StringIO(export_csv("claims"))))
    return [columns, *([row[column] for column in columns] for row in rows)]


def import_rows(resource, rows):
    dataset = read_dataset(io.BytesIO(csv_text(rows).encode()))
    return resource.import_data(dataset)


def seventy_three():
    return Claim.objects.get(article__slug=CHINA_DAILY, figure__slug=SEVENTY_THREE["figure"])


def test_it_stores_a_column_added_to_the_resource(seed):
    rows = exported_rows(ClaimResource.columns())
    column = rows[0].index("note")
    rows[0][column] = "remark"
    row = next(row for row in rows if row[2] == SEVENTY_THREE["quote"])
    row[column] = "Counted by China Daily only."

    report = import_rows(RemarkedClaimResource(), rows)

    assert not report.problems
    assert (report.updated, report.unchanged) == (1, len(rows) - 2)
    assert seventy_three().note == "Counted by China Daily only."


def test_an_update_leaves_alone_a_column_the_resource_does_not_read(seed):
    claim = seventy_three()
    Claim.objects.filter(pk=claim.pk).update(note="Checked by hand.")
    rows = exported_rows(list(WITHOUT_NOTE))
    row = next(row for row in rows if row[2] == SEVENTY_THREE["quote"])
    row[rows[0].index("status")] = "draft"

    report = import_rows(NotelessClaimResource(), rows)

    assert report.updated == 1
    claim.refresh_from_db()
    assert (claim.status, claim.note) == ("draft", "Checked by hand.")


def test_a_column_that_no_claim_column_stores_is_refused_by_name(db):
    class SpeakerNamedClaimResource(ClaimResource):
        speaker = Field(attribute="speaker", column_name="speaker", widget=TextWidget())

    with pytest.raises(ImproperlyConfigured, match="SpeakerNamedClaimResource reads speaker, which no claim column"):
        ClaimImport(SpeakerNamedClaimResource())
