"""The form every page that edits a claim builds on: the admin's claim page and inlines, and the
claim desk. The claim's own `clean()` applies the rules; this adds what a form must."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from .dates import PrintedDateField
from .models import Claim
from .vocabulary import Status


class RefusedIdsDrawnEmpty:
    """Django's autocomplete draws a refused form again by looking up the ids posted, and an id that
    is no number fails that lookup with a server error: such a field is drawn empty, beside the
    form's own error for it."""

    def optgroups(self, name, value, attr=None):
        try:
            return super().optgroups(name, value, attr)
        except (ValueError, ValidationError):
            return super().optgroups(name, [], attr)


class ArchiveAutocompleteSelect(RefusedIdsDrawnEmpty, AutocompleteSelect):
    pass


class ArchiveAutocompleteSelectMultiple(RefusedIdsDrawnEmpty, AutocompleteSelectMultiple):
    pass


class LoadedAutocompleteSelect(ArchiveAutocompleteSelect):
    """An autocomplete that labels its selected option with the related object the
    form's instance already holds, instead of querying for it. Django's widget runs
    one query per rendered field, which in an inline is one query per row."""

    loaded = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if self.loaded is None or selected != [str(self.loaded.pk)]:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(self.loaded)
        options.append(self.create_option(name, self.loaded.pk, label, set(selected), len(options)))
        return [(None, options, 0)]


# The history's own limit on a change's reason.
REASON_LENGTH = 100
# What an editor states of a claim, on every form that edits one (its article and figure aside).
CLAIM_FIELDS = [
    "quote",
    "value",
    "value_high",
    "unit",
    "bound",
    "stated_on",
    "speaker",
    "speaker_title",
    "origin",
    "origin_words",
    "status",
]


class ClaimForm(forms.ModelForm):
    """Claim.clean() locates the quote and the value; this adds the one rule the
    model form cannot see: the quote's position is derived, so Django skips the
    unique constraint on (article, figure, quote_start) and would fail on save.
    Unpublishing a published claim asks why: readers see the reason in the figure's history."""

    withdrawal_reason = forms.CharField(
        label="Reason, when unpublishing",
        max_length=REASON_LENGTH,
        required=False,
        help_text="Readers see it where the figure's public history shows the value withdrawn.",
    )
    require_reason = True

    class Meta:
        model = Claim
        fields = ["article", "figure", *CLAIM_FIELDS, "note", "version"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 3, "cols": 70})}
        field_classes = {"stated_on": PrintedDateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(widget, LoadedAutocompleteSelect) and Claim._meta.get_field(name).is_cached(self.instance):
                widget.loaded = getattr(self.instance, name)

    def clean(self):
        data = super().clean()
        reason = data.get("withdrawal_reason", "").strip()
        article = data.get("article") or getattr(self.instance, "article", None)
        public = self.initial.get("status") == Status.PUBLISHED and getattr(article, "status", "") == Status.PUBLISHED
        unpublishing = public and data.get("status") == Status.DRAFT
        if self.require_reason and self.instance.pk and unpublishing and not reason:
            message = "Say why this value is unpublished: readers see the reason in its figure's history."
            self.add_error("withdrawal_reason", message)
        self.instance._change_reason = reason or None
        return data

    def _post_clean(self):
        super()._post_clean()
        claim = self.instance
        if self.errors or claim.quote_start is None:
            return
        twin = (
            Claim.objects.filter(article_id=claim.article_id, figure_id=claim.figure_id, quote_start=claim.quote_start)
            .exclude(pk=claim.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if twin:
            self.add_error("quote", f"Claim {twin} already states this figure from this same quote in this article.")
