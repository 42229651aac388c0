"""Post an admin change form back the way a browser would."""

import datetime
from decimal import Decimal


def _as_posted(value):
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def form_data(response):
    """Every input of the main form and its inlines as the page shows them (a page of the admin's
    own, such as the claim desk, names its form `form`)."""
    if "adminform" not in response.context:
        return {name: value for field in response.context["form"] if (value := _as_posted(field.value())) is not None
                for name in [field.html_name]}  # fmt: skip
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = _as_posted(field.value())
            if value is not None:
                data[field.html_name] = value
    return data


def inline_prefix(response, model_name):
    """The form prefix of the inline editing `model_name` rows."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.prefix
    raise LookupError(f"no {model_name} inline on this page")


def inline_row(data, prefix, field, pk):
    """The key of `field` in the inline row editing the row with primary key `pk`."""
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(pk):
            return key[: -len("id")] + field
    raise LookupError(f"no row for {pk} in {prefix}")
