"""The claim desk's page in the admin: an article's body with every number marked, and for the
number at hand a claim form filled from the text, its figure chosen among ranked suggestions or
made new in the same form (`archive/desk.py` reads the text and ranks the figures)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import desk
from .claim_forms import CLAIM_FIELDS, ClaimForm
from .dates import PrintedDateField
from .models import Claim, DismissedNumber, Figure, Operation, Organisation, Origin, Person
from .vocabulary import Bound, Measure, Status, Unit

NEW = "new"
NEW_FIGURE_FIELDS = ["measure", "subject", "organisation", "operation", "period_start", "period_end", "title", "slug"]


class DeskClaimForm(forms.Form):
    figure = forms.ChoiceField(label="Figure", widget=forms.RadioSelect, required=False)
    other_figure = forms.CharField(
        label="or another figure's slug", required=False, help_text="For a figure the suggestions do not list."
    )
    value = forms.DecimalField(max_digits=24, decimal_places=6)
    value_high = forms.DecimalField(label="High value", max_digits=24, decimal_places=6, required=False)
    unit = forms.ChoiceField(choices=Unit.choices)
    bound = forms.ChoiceField(choices=Bound.choices)
    stated_on = PrintedDateField(label="Stated on", required=False, help_text="Empty: the article's date.")
    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    speaker = forms.ModelChoiceField(Person.objects.order_by("name"), required=False)
    speaker_title = forms.CharField(max_length=300, required=False, help_text="As this article prints it.")
    origin = forms.ModelChoiceField(Origin.objects.order_by("name"), required=False)
    origin_words = forms.CharField(
        max_length=300, required=False, help_text="The article's words naming it: “According to the conference”."
    )
    status = forms.ChoiceField(choices=Status.choices, initial=Status.DRAFT)
    new_measure = forms.ChoiceField(label="Measure", choices=[("", "---------"), *Measure.choices], required=False)
    new_subject = forms.CharField(
        label="Subject", max_length=200, required=False, help_text="What is counted: “ivory”."
    )
    new_organisation = forms.ModelChoiceField(Organisation.objects.order_by("name"), label="Organisation or scope",
                                              required=False)  # fmt: skip
    new_operation = forms.ModelChoiceField(Operation.objects.order_by("name"), label="Operation", required=False)
    new_period_start = PrintedDateField(label="Period from", required=False, help_text="Empty: the operation's.")
    new_period_end = PrintedDateField(label="Period to", required=False)
    new_title = forms.CharField(label="Title", max_length=300, required=False, help_text="Empty: one is suggested.")
    new_slug = forms.SlugField(label="Slug", max_length=60, required=False, help_text="Empty: one is suggested.")

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["figure"].choices = [
            *((str(suggestion.figure.pk), suggestion_label(suggestion)) for suggestion in suggestions),
            (NEW, "A new figure (fill in below)"),
        ]
        if suggestions:
            self.fields["figure"].widget.attrs["autofocus"] = True

    def clean(self):
        data = super().clean()
        if data.get("figure") == NEW:
            if not data.get("new_measure"):
                self.add_error("new_measure", "Choose what the new figure measures.")
            if not data.get("new_organisation"):
                self.add_error("new_organisation", "Choose who the new figure is about, or its scope.")
        elif data.get("other_figure"):
            figure = Figure.objects.filter(slug=data["other_figure"].strip()).first()
            if figure is None:
                self.add_error("other_figure", f"No figure has the slug “{data['other_figure']}”.")
            data["chosen"] = figure
        elif data.get("figure"):
            data["chosen"] = Figure.objects.filter(pk=data["figure"]).first()
        else:
            self.add_error("figure", "Choose a figure, or a new one.")
        return data


def suggestion_label(suggestion):
    figure = suggestion.figure
    details = [
        figure.operation.name if figure.operation else "no operation",
        figure.organisation.short_name or figure.organisation.name,
        desk.period_text(figure.period_start, figure.period_end) or "no period",
    ]
    given = "; ".join(f"{outlet} {amount}" for outlet, amount in suggestion.values) or "no other source yet"
    mark = " — the same value" if suggestion.same else " — a near value" if suggestion.near else ""
    return format_html(
        '<span class="desk-figure-title">{}</span>{} <span class="desk-figure-details">({}; {})</span>',
        figure.title,
        mark,
        " · ".join(details),
        given,
    )


def desk_url(article, at=None):
    url = reverse("admin:archive_article_desk", args=[article.pk])
    return f"{url}?at={at}" if at is not None else url


def desk_view(model_admin, request, object_id):
    article = model_admin.get_object(request, object_id)
    if article is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    may_claim = request.user.has_perm("archive.add_claim")
    may_dismiss = model_admin.has_change_permission(request, article)
    may_add_figure = request.user.has_perm("archive.add_figure")
    numbers = desk.desk_numbers(article)
    by_start = {item.number.start: item for item in numbers}

    if request.method == "POST" and request.POST.get("action") in ("dismiss", "restore"):
        if not may_dismiss:
            raise PermissionDenied
        return dismiss_or_restore(request, article, by_start)

    at = _position(request.POST.get("at") if request.method == "POST" else request.GET.get("at"))
    current = by_start.get(at) or next((item for item in numbers if item.state == "unclaimed"), None)
    if request.method == "POST" and not may_claim:
        raise PermissionDenied
    if request.method == "POST" and current is None:
        messages.error(request, "The body prints no such number any more: nothing was saved.")
        return HttpResponseRedirect(desk_url(article))
    form = None
    if current is not None and may_claim:
        operations = desk.named_operations(article)
        suggestions = desk.suggestions(article, current.number, operations)
        if request.method == "POST":
            form = DeskClaimForm(request.POST, suggestions=suggestions)
            claim = form.is_valid() and save_claim(request, form, article, may_add_figure)
            if claim:
                messages.success(
                    request,
                    f"Claim saved: {claim.value_printed} on “{claim.figure.title}” (figure {claim.figure.slug}).",
                )
                return HttpResponseRedirect(desk_url(article, next_unclaimed(numbers, current.number.start)))
        else:
            initial = desk.claim_initial(article, current.number)
            in_quote = [operation for operation in operations if desk.prints_operation(initial["quote"], operation)]
            if len(in_quote) == 1 or len(operations) == 1:
                initial["new_operation"] = (in_quote or operations)[0].pk
            if current.number.unit:
                fitting = desk.measures_for(current.number.unit)
                initial["new_measure"] = fitting[0] if len(fitting) == 1 else ""
            form = DeskClaimForm(initial=initial, suggestions=suggestions)

    handled = sum(1 for item in numbers if item.state != "unclaimed")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": article,
        "title": f"Claim desk: {article.title}",
        "article": article,
        "numbers": numbers,
        "current": current,
        "current_label": desk.number_label(current.number) if current else "",
        "form": form,
        "body": marked_body(article.body, numbers, current),
        "handled": handled,
        "claimed": sum(1 for item in numbers if item.state == "claimed"),
        "dismissed": sum(1 for item in numbers if item.state == "dismissed"),
        "may_dismiss": may_dismiss,
        "may_add_figure": may_add_figure,
        "new_figure_fields": [form[f"new_{name}"] for name in NEW_FIGURE_FIELDS] if form else [],
        "claim_fields": [form[name] for name in CLAIM_FIELDS] if form else [],
    }
    return TemplateResponse(request, "admin/archive/article/desk.html", context)


def _position(text):
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def next_unclaimed(numbers, after):
    later = [item.number.start for item in numbers if item.state == "unclaimed" and item.number.start > after]
    earlier = [item.number.start for item in numbers if item.state == "unclaimed" and item.number.start < after]
    return (later or earlier or [None])[0]


def dismiss_or_restore(request, article, by_start):
    at = _position(request.POST.get("at"))
    item = by_start.get(at)
    if item is None:
        messages.error(request, "The body prints no such number any more: reload the desk.")
        return HttpResponseRedirect(desk_url(article))
    if request.POST["action"] == "dismiss":
        if item.state == "claimed":
            messages.error(request, f"“{item.number.text}” is claimed: delete its claims before calling it no figure.")
        else:
            DismissedNumber.objects.get_or_create(
                article=article, start=at, defaults={"text": item.number.text[:200], "dismissed_by": request.user}
            )
            messages.success(request, f"“{item.number.text}” marked as not a figure.")
        return HttpResponseRedirect(desk_url(article, next_unclaimed(desk.desk_numbers(article), at)))
    DismissedNumber.objects.filter(article=article, start=at).delete()
    messages.success(request, f"“{item.number.text}” is to be claimed again.")
    return HttpResponseRedirect(desk_url(article, at))


def save_claim(request, form, article, may_add_figure):
    """The claim the form describes, saved through the admin's own claim form (the same checks)
    with its new figure if it asks for one, or None with the form's errors set. All or nothing:
    a refused claim leaves no new figure behind."""
    data = form.cleaned_data
    new_figure = data.get("figure") == NEW
    if new_figure:
        if not may_add_figure:
            raise PermissionDenied
        if not (data["new_title"] and data["new_slug"]):
            suggest_figure(form, data)
            return None
    try:
        with transaction.atomic():
            figure = create_figure(data) if new_figure else data["chosen"]
            fields = {name: form.data.get(name, "") for name in CLAIM_FIELDS}
            fields.update(article=article.pk, figure=figure.pk, version=Claim._meta.get_field("version").get_default())
            claim_form = ClaimForm(data=fields)
            if not claim_form.is_valid():
                raise ValidationError(claim_form.errors.as_data())
            return claim_form.save()
    except ValidationError as error:
        for name, problems in error.error_dict.items():
            for problem in problems:
                form.add_error(_form_field(form, name), problem)
        return None


def _form_field(form, name):
    if name.startswith("figure:"):
        return f"new_{name.removeprefix('figure:')}"
    return name if name in form.fields and name != NON_FIELD_ERRORS else None


def suggest_figure(form, data):
    """Fill the new figure's empty period, title and slug with suggestions, for the editor to check."""
    operation = data.get("new_operation")
    start = data.get("new_period_start") or (operation.start_date if operation else None)
    end = data.get("new_period_end") or (operation.end_date if operation else None)
    title = data.get("new_title") or desk.suggested_title(
        data["new_measure"], data.get("new_subject"), data["new_organisation"], operation, start, end
    )
    slug = data.get("new_slug") or desk.suggested_slug(
        data["new_measure"], data.get("new_subject"), data["new_organisation"], operation, start
    )
    form.data = form.data.copy()
    form.data.update(
        {
            "new_period_start": start.isoformat() if start else "",
            "new_period_end": end.isoformat() if end else "",
            "new_title": title,
            "new_slug": slug,
        }
    )
    form.add_error(None, "Check the new figure's suggested title, slug and period, then save again.")


def create_figure(data):
    figure = Figure(
        measure=data["new_measure"],
        subject=data.get("new_subject") or "",
        organisation=data["new_organisation"],
        operation=data.get("new_operation"),
        period_start=data.get("new_period_start"),
        period_end=data.get("new_period_end"),
        title=data["new_title"],
        slug=data["new_slug"],
    )
    try:
        figure.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {f"figure:{name}" if name != NON_FIELD_ERRORS else NON_FIELD_ERRORS: problems
             for name, problems in error.message_dict.items()}
        ) from error  # fmt: skip
    figure.save()
    return figure


def marked_body(body, numbers, current):
    """The body, escaped, with each number a link to its place on the desk, marked by its state."""
    pieces, position = [], 0
    for item in numbers:
        number = item.number
        pieces.append((body[position : number.start], None, None, None))
        css = f"desk-number desk-{item.state}" + (" desk-current" if item is current else "")
        pieces.append((body[number.start : number.end], css, f"?at={number.start}", item.state))
        position = number.end
    pieces.append((body[position:], None, None, None))
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<a class="{}" href="{}" title="{}">{}</a>', css, href, state, text) if css else text,)
            for text, css, href, state in pieces
        ),
    )
