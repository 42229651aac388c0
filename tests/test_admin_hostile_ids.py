"""A posted id that is no number, in any autocomplete field of any archive admin form, is refused
with the field's own error instead of failing while the form is drawn again."""

import pytest
from django.contrib import admin
from django.urls import reverse

AUTOCOMPLETED = [
    (model, field)
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "archive"
    for field in model_admin.autocomplete_fields
]


def test_it_covers_the_autocompleted_fields():
    assert {(model._meta.model_name, field) for model, field in AUTOCOMPLETED} >= {
        ("partof", "part"),
        ("origin", "person"),
        ("article", "copy_of"),
        ("operation", "coordinators"),
        ("claim", "article"),
    }


@pytest.mark.parametrize(("model", "field"), AUTOCOMPLETED, ids=[f"{m._meta.model_name}-{f}" for m, f in AUTOCOMPLETED])
def test_a_posted_id_that_is_no_number_is_refused_with_the_fields_error(editor_client, seed, model, field):
    response = editor_client.post(reverse(f"admin:archive_{model._meta.model_name}_add"), {field: "abc"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
