"""Every field an editor gives a claim is typed in the admin's claim form and in the claims CSV
alike: a field added to the model but left out of either would be silently unsettable there."""

from archive.claim_forms import ClaimForm
from archive.csv_io.resources import ClaimResource
from archive.models import Claim

BOOKKEEPING = {"id", "version", "created_at", "updated_at"}


def test_the_claim_form_and_the_claims_csv_take_every_field_an_editor_gives():
    typed = {field.name for field in Claim._meta.concrete_fields if field.editable} - BOOKKEEPING
    assert set(ClaimForm.Meta.fields) - BOOKKEEPING == typed
    assert set(ClaimResource.Meta.fields) == typed
