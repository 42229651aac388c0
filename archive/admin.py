"""The editors' admin.

Every list page costs a fixed number of queries whatever its length: related rows
come by `list_select_related`, counts by annotation, many-to-many rows by one
prefetch. tests/test_admin_queries.py pins each count.

Derived fields (a claim's located value, a figure's status and misattribution
hints) are computed on save and shown read-only. Every form carries the record's
`version` as a hidden input, so a save from a page someone has changed since is
refused with a message instead of overwriting their change.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, models, transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import bulk_update_with_history

from .claim_forms import (
    CLAIM_FIELDS,
    REASON_LENGTH,
    ArchiveAutocompleteSelect,
    ArchiveAutocompleteSelectMultiple,
    ClaimForm,
    LoadedAutocompleteSelect,
)
from .csv_io.admin import CsvImportExportMixin
from .csv_io.resources import (
    ArticleResource,
    ClaimResource,
    FigureResource,
    OperationResource,
    OrganisationResource,
    OriginResource,
    OutletResource,
    PartOfResource,
    PersonResource,
)
from .dates import PrintedDateField
from .derivation import refresh_figures
from .filters import matching
from .models import (
    Article,
    Claim,
    Figure,
    Operation,
    OperationAlias,
    Organisation,
    Origin,
    Outlet,
    PartOf,
    Person,
    orphan_message,
)
from .vocabulary import FigureStatus, Status


def is_changelist(request):
    """List pages leave out long texts and add counts; change pages need the texts. The export
    builds the list's queryset again, with its filters and its sort by a count."""
    return bool(request.resolver_match) and request.resolver_match.url_name.endswith(("_changelist", "_export"))


def searchable(search_term):
    """A search term without the NUL characters PostgreSQL cannot compare."""
    return search_term.replace("\x00", "")


def admin_link(obj, text=None):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def status_badge(figure):
    # Coloured by a class from admin.css: the Content-Security-Policy refuses inline styles.
    return format_html(
        '<span title="figure status" class="figure-status figure-status-{}">{}</span>',
        figure.status,
        figure.get_status_display(),
    )


def misattribution_links(figure):
    """Links to the figures this one may be confused with (prefetched on list pages)."""
    return format_html_join(", ", "{}", ((admin_link(other),) for other in figure.possible_misattributions.all()))


class ArchiveAdmin(SimpleHistoryAdmin):
    """Every archive admin shows the record's edit history (django-simple-history),
    and an editor can restore a past version from it through the usual form and checks."""

    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.DateField: {"form_class": PrintedDateField},
    }

    class Media:
        css = {"all": ["archive/admin.css"]}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ArchiveAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ArchiveAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return self.for_list(queryset) if is_changelist(request) else queryset

    def for_list(self, queryset):
        """What the list page adds to the queryset: counts, prefetches, long texts left out."""
        return queryset

    def get_changelist_instance(self, request):
        """A filter value the database or the date hierarchy cannot take (a NUL on PostgreSQL,
        a year past 9999) is an invalid lookup, which the list answers with its `?e=1` redirect.

        No savepoint: psycopg refuses a NUL before sending the query, so no transaction is
        aborted, and a list page runs in autocommit anyway; one would cost every list two queries."""
        try:
            return super().get_changelist_instance(request)
        except (DataError, ValueError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, searchable(search_term))

    def get_form(self, request, obj=None, **kwargs):
        if hasattr(obj, "version") and request.resolver_match.url_name.endswith("_simple_history"):
            # Restoring a past version: the form carries the record's current version number,
            # so that only a change made since the page was opened is refused as stale.
            # (Aliases have no version: they are edited with their operation.)
            current = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
            obj.version = obj.version if current is None else current
        return super().get_form(request, obj, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ValidationError as error:
            return self.refuse_unsaved(request, error)

    def history_form_view(self, request, *args, **kwargs):
        # django-simple-history asks only for the view permission, yet its form saves.
        if request.method not in ("GET", "HEAD") and not self.has_change_permission(request):
            raise PermissionDenied
        try:
            with transaction.atomic():
                return super().history_form_view(request, *args, **kwargs)
        except ValidationError as error:
            return self.refuse_unsaved(request, error)

    def refuse_unsaved(self, request, error):
        """A save refused after the form's checks passed, as when another editor's save lands
        in between: everything was rolled back, so say so on the page as it now stands."""
        self.message_user(request, " ".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class ClaimInlineForm(ClaimForm):
    require_reason = False  # a row of its article's or figure's page has no room for it

    def has_changed(self):
        # The version is bookkeeping: a row whose version alone differs is a row
        # someone else changed, not one this editor touched.
        return bool(set(self.changed_data) - {"version"})

    def _post_clean(self):
        # A row left untouched is not saved, so it is not checked either: another
        # editor's change to that claim since the page opened is no reason to refuse
        # the page. Article.clean() and Figure.clean() still check every saved claim
        # against an edited body or measure.
        if self.instance.pk and not self.has_changed():
            return
        super()._post_clean()


class ClaimFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = {}
        for row, form in enumerate(self.forms, 1):
            published = form.instance.pk and form.initial.get("status") == Status.PUBLISHED
            unpublished = form.is_valid() and form.cleaned_data.get("status") != Status.PUBLISHED
            if published and (self._should_delete_form(form) or unpublished):
                raise ValidationError(
                    f"Row {row} is a published claim: unpublish or delete it from its own page or the claims list, "
                    "which ask why, since readers see the reason beside the withdrawn value."
                )
            if not form.is_valid() or not form.has_changed() or self._should_delete_form(form):
                continue
            claim = form.instance
            spot = (claim.article_id, claim.figure_id, claim.quote_start)
            if spot in rows:
                raise ValidationError(
                    f"Rows {rows[spot]} and {row} both claim “{claim.figure}” from the same quote; keep one."
                )
            rows[spot] = row


class ClaimInline(admin.TabularInline):
    """Claims under their article or figure. Shown once the parent is saved: a claim
    is located in its article's saved body and checked against its figure's saved
    measure."""

    model = Claim
    form = ClaimInlineForm
    formset = ClaimFormSet
    extra = 0
    show_change_link = True
    readonly_fields = ["value_printed"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("article__outlet", "figure", "speaker", "origin")
        # Rows show the article's title; a posted row is checked against the article
        # its form supplies, never this copy.
        return queryset.defer("article__body", "article__provenance")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = LoadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ArticleClaimInline(ClaimInline):
    fields = ["figure", *CLAIM_FIELDS, "value_printed", "version"]
    autocomplete_fields = ["figure", "speaker", "origin"]


class FigureClaimInline(ClaimInline):
    fields = ["article", *CLAIM_FIELDS, "value_printed", "version"]
    autocomplete_fields = ["article", "speaker", "origin"]


def change_status(modeladmin, request, queryset, status, done, reason=None):
    """Set the status of the selected rows that differ, bumping their version and
    recording their history in bulk (with `reason`, which readers see for a withdrawn value),
    then refresh each figure they touch once: a bulk update bypasses save() and the refresh it does."""
    model = modeladmin.model
    with transaction.atomic():
        selected = queryset.order_by().values("pk")  # the list's queryset carries joins FOR UPDATE refuses
        changing = list(
            model.objects.select_for_update(no_key=True).filter(pk__in=selected).exclude(status=status).order_by("pk")
        )
        now = timezone.now()
        for row in changing:
            row.status, row.version, row.updated_at = status, row.version + 1, now
        bulk_update_with_history(
            changing,
            model,
            ["status", "version", "updated_at"],
            default_user=request.user,
            default_change_reason=reason or f"{done.capitalize()} from the {model._meta.verbose_name} list",
        )
        figures = refresh_figures(sorted(set(modeladmin.figure_ids_touched_by([row.pk for row in changing]))))
    if not changing:
        modeladmin.message_user(
            request, f"No {model._meta.verbose_name_plural} changed: they were all {done} already.", messages.WARNING
        )
        return
    noun = model._meta.verbose_name if len(changing) == 1 else model._meta.verbose_name_plural
    modeladmin.message_user(
        request, f"{len(changing)} {noun} {done}; {len(figures)} figure(s) recomputed.", messages.SUCCESS
    )


@admin.action(description="Publish the selected %(verbose_name_plural)s", permissions=["change"])
def publish(modeladmin, request, queryset):
    change_status(modeladmin, request, queryset, Status.PUBLISHED, "published")


@admin.action(description="Unpublish the selected %(verbose_name_plural)s (back to draft)", permissions=["change"])
def unpublish(modeladmin, request, queryset):
    """Asks first why: a value readers have seen stays in its figure's public history as
    withdrawn, with this reason."""
    reason = request.POST.get("reason", "").strip()
    if not reason:
        context = {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.opts,
            "title": f"Why are these {modeladmin.opts.verbose_name_plural} unpublished?",
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "count": queryset.count(),
            "missing": "reason" in request.POST,
            "max_length": REASON_LENGTH,
        }
        return TemplateResponse(request, "admin/archive/withdraw.html", context)
    change_status(modeladmin, request, queryset, Status.DRAFT, "unpublished", reason=reason[:REASON_LENGTH])


def withdrawal_reason(request):
    return request.POST.get("reason", "").strip()[:REASON_LENGTH]


def delete_selected_with_reason(modeladmin, request, queryset):
    """Django's own delete action, which asks first why when the rows take published values with
    them (`AsksWhyOnDelete`)."""
    withdraws = modeladmin.withdrawn_claims(queryset).exists()
    missing = bool(request.POST.get("post")) and withdraws and not withdrawal_reason(request)
    if missing:
        request.POST = request.POST.copy()
        del request.POST["post"]  # not confirmed: the confirmation page asks again, saying why
    response = delete_selected(modeladmin, request, queryset)
    if response is not None:
        response.context_data.update(withdraws=withdraws, reason_missing=missing, reason_length=REASON_LENGTH)
    return response


class AsksWhyOnDelete:
    """Deleting rows that take published values with them (a claim, or an article and its claims)
    asks why, as unpublishing does: each value stays in its figure's public history as withdrawn,
    with the reason. `withdrawn_claims(queryset)`: the public claims deleting the rows removes."""

    delete_confirmation_template = "admin/archive/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/archive/delete_selected_confirmation.html"

    def withdrawn_claims(self, queryset):
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_with_reason, name, description)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        withdraws = self.withdrawn_claims(self.model.objects.filter(pk=unquote(object_id))).exists()
        extra_context = {**(extra_context or {}), "withdraws": withdraws, "reason_length": REASON_LENGTH}
        if request.method == "POST" and withdraws and not withdrawal_reason(request):
            request.POST = QueryDict()  # not confirmed: the page asks again, saying why
            extra_context["reason_missing"] = True
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        self.deleting(
            request,
            self.model.objects.filter(pk=obj.pk),
            lambda: super(AsksWhyOnDelete, self).delete_model(request, obj),
        )

    def delete_queryset(self, request, queryset):
        self.deleting(request, queryset, lambda: super(AsksWhyOnDelete, self).delete_queryset(request, queryset))

    def deleting(self, request, queryset, delete):
        """Deletes as Django does, then gives the withdrawn claims' deletion rows in their history the reason."""
        reason = withdrawal_reason(request)
        with transaction.atomic():
            withdrawn = list(self.withdrawn_claims(queryset).values_list("pk", flat=True))
            started = timezone.now()
            delete()
            if reason and withdrawn:
                Claim.history.filter(id__in=withdrawn, history_type="-", history_date__gte=started).update(
                    history_change_reason=reason
                )


@admin.register(Outlet)
class OutletAdmin(CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [OutletResource]
    list_display = ["name", "country", "website", "article_count"]
    search_fields = ["name", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}

    def for_list(self, queryset):
        return queryset.annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, outlet):
        return outlet.article_count


class UniqueWhenGivenForm(forms.ModelForm):
    """The model's conditional unique constraints would report “Constraint … is
    violated”; name the field and the row it clashes with instead."""

    unique_when_given = ()

    def clean(self):
        cleaned_data = super().clean()
        model = self._meta.model
        for name in self.unique_when_given:
            value = cleaned_data.get(name)
            if not value:
                continue
            clash = model.objects.filter(**{name: value}).exclude(pk=self.instance.pk).first()
            if clash:
                label = model._meta.get_field(name).verbose_name
                self.add_error(name, f"{model._meta.verbose_name.capitalize()} “{clash}” already has this {label}.")
        return cleaned_data


class OrganisationForm(UniqueWhenGivenForm):
    unique_when_given = ["short_name"]


@admin.register(Organisation)
class OrganisationAdmin(CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [OrganisationResource]
    form = OrganisationForm
    list_display = ["name", "short_name", "kind", "country", "figure_count"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def for_list(self, queryset):
        return queryset.annotate(figure_count=Count("figures"))

    @admin.display(description="figures", ordering="figure_count")
    def figure_count(self, organisation):
        return organisation.figure_count


@admin.register(Person)
class PersonAdmin(CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [PersonResource]
    list_display = ["name", "role", "organisation", "claim_count"]
    list_select_related = ["organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "role", "slug", "organisation__name", "organisation__short_name"]
    autocomplete_fields = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}

    def for_list(self, queryset):
        return queryset.annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, person):
        return person.claim_count


@admin.register(Origin)
class OriginAdmin(CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [OriginResource]
    list_display = ["name", "kind", "person", "organisation", "held_on", "claim_count"]
    list_select_related = ["person", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "person__name", "organisation__name", "organisation__short_name"]
    autocomplete_fields = ["person", "organisation"]
    prepopulated_fields = {"slug": ["name"]}

    def for_list(self, queryset):
        return queryset.annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, origin):
        return origin.claim_count


class AliasFormSet(forms.BaseInlineFormSet):
    """Alias names are unique ignoring case; the database would refuse a second
    “earth goddess” only at save time."""

    def clean(self):
        super().clean()
        seen = {self.instance.name.lower(): "the operation's own name"} if self.instance.name else {}
        for form in self.forms:
            name = form.cleaned_data.get("name") if form.is_valid() else None
            if not name or self._should_delete_form(form):
                continue
            if name.lower() in seen:
                raise ValidationError(f"The alias “{name}” repeats {seen[name.lower()]}.")
            seen[name.lower()] = f"the alias “{name}”"


class OperationAliasForm(forms.ModelForm):
    def clean_name(self):
        name = self.cleaned_data["name"]
        clash = OperationAlias.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if clash:
            raise ValidationError(f"“{clash}” is already an alias of {clash.operation}.")
        return name


class OperationAliasInline(admin.TabularInline):
    model = OperationAlias
    form = OperationAliasForm
    formset = AliasFormSet
    extra = 1
    fields = ["name", "note"]


@admin.register(Operation)
class OperationAdmin(CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [OperationResource]
    list_display = ["name", "alias_names", "focus", "start_date", "end_date", "coordinator_names", "figure_count"]
    list_filter = ["coordinators"]
    search_fields = ["name", "aliases__name", "slug", "focus"]
    autocomplete_fields = ["coordinators"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OperationAliasInline]

    def for_list(self, queryset):
        return queryset.annotate(figure_count=Count("figures")).prefetch_related("aliases", "coordinators")

    @admin.display(description="also called")
    def alias_names(self, operation):
        return ", ".join(alias.name for alias in operation.aliases.all())

    @admin.display(description="coordinated by")
    def coordinator_names(self, operation):
        return ", ".join(o.short_name or o.name for o in operation.coordinators.all())

    @admin.display(description="figures", ordering="figure_count")
    def figure_count(self, operation):
        return operation.figure_count


@admin.register(OperationAlias)
class OperationAliasAdmin(ArchiveAdmin):
    form = OperationAliasForm
    list_display = ["name", "operation", "note"]
    list_select_related = ["operation"]
    list_filter = ["operation"]
    search_fields = ["name", "operation__name"]
    autocomplete_fields = ["operation"]


@admin.register(PartOf)
class PartOfAdmin(CsvImportExportMixin, ArchiveAdmin):
    """Which organisation or scope is part of which in an operation: the figures of a part are then
    compared with the whole's (`archive/parts.py`)."""

    resource_classes = [PartOfResource]
    list_display = ["part", "whole", "operation", "note"]
    list_select_related = ["part", "whole", "operation"]
    list_filter = ["operation"]
    search_fields = ["part__name", "part__short_name", "whole__name", "whole__short_name", "operation__name"]
    autocomplete_fields = ["operation", "part", "whole"]


class ArticleForm(UniqueWhenGivenForm):
    """Unpublishing an article with published claims asks why, as unpublishing a claim does."""

    unique_when_given = ["url"]
    withdrawal_reason = forms.CharField(
        label="Reason, when unpublishing",
        max_length=REASON_LENGTH,
        required=False,
        help_text="Readers see it where each figure's public history shows this article's values withdrawn.",
    )

    def clean(self):
        data = super().clean()
        reason = data.get("withdrawal_reason", "").strip()
        unpublishing = self.initial.get("status") == Status.PUBLISHED and data.get("status") == Status.DRAFT
        if unpublishing and not reason and Claim.objects.published().filter(article=self.instance).exists():
            message = "Say why this article is unpublished: readers see the reason beside each of its values."
            self.add_error("withdrawal_reason", message)
        self.instance._change_reason = reason or None
        return data


@admin.register(Article)
class ArticleAdmin(AsksWhyOnDelete, CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [ArticleResource]
    form = ArticleForm
    list_display = ["title", "outlet", "published_on", "status", "claim_count"]
    list_select_related = ["outlet"]
    list_filter = ["status", "outlet"]
    search_fields = ["title", "slug", "url", "byline"]
    autocomplete_fields = ["outlet", "copy_of"]
    date_hierarchy = "published_on"
    show_full_result_count = False
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["number_coverage", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    *["title", "slug", "outlet", "published_on", "byline", "url", "language"],
                    *["status", "withdrawal_reason", "version"],
                ]
            },
        ),
        ("Copy", {"fields": ["copy_of"]}),
        ("Text", {"fields": ["body", "provenance"]}),
        ("Numbers in the body", {"fields": ["number_coverage"]}),
        ("Timestamps", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [ArticleClaimInline]
    actions = [publish, unpublish]

    def withdrawn_claims(self, queryset):
        return Claim.objects.published().filter(article__in=queryset.values("pk"))

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_urls(self):
        from .desk_admin import desk_view

        desk = path(
            "<path:object_id>/desk/",
            self.admin_site.admin_view(lambda request, object_id: desk_view(self, request, object_id)),
            name="archive_article_desk",
        )
        return [desk, *super().get_urls()]

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if article is not None and request.method == "POST":
            # The article's form is checked before its claims': tell it which quotes change too.
            article.quote_edits = posted_quote_edits(article, request.POST)
        return article

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        article.quote_edits = {}
        orphans = article.claims_orphaned_by(article.body)
        if orphans:  # an edited quote's row was not saved after all: roll the whole page back
            raise ValidationError(orphan_message(orphans))

    def for_list(self, queryset):
        # A subquery per listed article, not a join grouped over every article: the count and
        # the date hierarchy's queries then read the articles alone.
        claims = Claim.objects.filter(article=OuterRef("pk")).order_by().values("article")
        claim_count = Coalesce(Subquery(claims.annotate(n=Count("pk")).values("n")), 0)
        return queryset.annotate(claim_count=claim_count).defer("body", "provenance")

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, article):
        return article.claim_count

    @admin.display(description="numbers handled")
    def number_coverage(self, article):
        if not article.pk:
            return "Save the article to see which of its numbers are claimed."
        from .desk import desk_numbers

        numbers = desk_numbers(article)
        desk_url = reverse("admin:archive_article_desk", args=[article.pk])
        rows = []
        for item in numbers:
            number = item.number
            if item.claims:
                claims = format_html_join(
                    ", ",
                    '<a href="{}">claim {}</a>',
                    ((reverse("admin:archive_claim_change", args=[claim.pk]), claim.pk) for claim in item.claims),
                )
                rows.append(format_html("<li>{}: {}</li>", number.text, claims))
            elif item.dismissal:
                rows.append(format_html("<li>{}: not a figure</li>", number.text))
            else:
                rows.append(
                    format_html(
                        '<li><strong>{}: not claimed</strong> in “…{}<mark>{}</mark>{}…” <a href="{}">claim it</a>',
                        number.text,
                        words_before(article.body, number.start),
                        article.body[number.start : number.end],
                        words_after(article.body, number.end),
                        f"{desk_url}?at={number.start}",
                    )
                )
        return format_html(
            '<p><strong>{} of {} numbers handled</strong> (claimed or marked as not a figure): <a href="{}">open the '
            "claim desk</a></p><ul>{}</ul>",
            sum(1 for item in numbers if item.state != "unclaimed"),
            len(numbers),
            desk_url,
            format_html_join("", "{}", ((row,) for row in rows)),
        )

    def figure_ids_touched_by(self, article_pks):
        return Claim.objects.filter(article__in=article_pks).values_list("figure_id", flat=True)


def posted_quote_edits(article, data):
    """{claim id: its new quote, or None when it is deleted} for the article's claims whose quote
    the posted claims inline changes. Whether anything is saved is still the inline's to decide."""
    prefix = Claim._meta.get_field("article").remote_field.get_accessor_name()
    current = dict(article.claims.values_list("pk", "quote"))
    edits = {}
    for row in range(len(current)):
        pk = data.get(f"{prefix}-{row}-id", "")
        if not pk.isdigit() or int(pk) not in current:
            continue
        quote = data.get(f"{prefix}-{row}-quote", "").strip()
        if data.get(f"{prefix}-{row}-DELETE"):
            edits[int(pk)] = None
        elif quote and quote != current[int(pk)]:
            edits[int(pk)] = quote
    return edits


def words_before(body, start, count=8):
    return " ".join(body[max(0, start - 200) : start].split()[-count:]) + " "


def words_after(body, end, count=8):
    return " " + " ".join(body[end : end + 200].split()[:count])


class FigureStatusFilter(admin.SimpleListFilter):
    title = "figure status"
    parameter_name = "figure_status"

    def lookups(self, request, model_admin):
        return FigureStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(figure__status=self.value()) if self.value() else queryset


class MisattributionFilter(admin.SimpleListFilter):
    title = "possible misattribution"
    parameter_name = "misattributed"

    def lookups(self, request, model_admin):
        return [("yes", "has a hint"), ("no", "no hint")]

    def queryset(self, request, queryset):
        hinted = Figure.possible_misattributions.through.objects.values("from_figure_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=hinted)
        if self.value() == "no":
            return queryset.exclude(pk__in=hinted)
        return queryset


@admin.register(Figure)
class FigureAdmin(CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [FigureResource]
    list_display = [
        "title",
        "status_label",
        "measure",
        "organisation",
        "operation",
        "claim_count",
        "misattribution_hint",
    ]
    list_select_related = ["organisation", "operation"]
    list_filter = ["status", MisattributionFilter, "measure", "operation", "organisation"]
    search_fields = ["title", "slug", "subject", "organisation__name", "organisation__short_name", "operation__name"]
    autocomplete_fields = ["organisation", "operation"]
    show_full_result_count = False
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status_label", "misattribution_hint"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "measure", "subject", "organisation", "operation", "version"]}),
        ("Period", {"fields": ["period_start", "period_end"]}),
        (None, {"fields": ["notes"]}),
        (
            "Derived from the published claims",
            {
                "fields": ["status_label", "misattribution_hint"],
                "description": "Recomputed whenever a claim or its article is saved, published or unpublished.",
            },
        ),
    ]
    inlines = [FigureClaimInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def for_list(self, queryset):
        misattributions = Prefetch("possible_misattributions", queryset=Figure.objects.only("pk", "title"))
        return queryset.annotate(claim_count=Count("claims")).prefetch_related(misattributions)

    @admin.display(description="status", ordering="status")
    def status_label(self, figure):
        return status_badge(figure)

    @admin.display(description="possibly misattributed to")
    def misattribution_hint(self, figure):
        return misattribution_links(figure)

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, figure):
        return figure.claim_count


@admin.register(Claim)
class ClaimAdmin(AsksWhyOnDelete, CsvImportExportMixin, ArchiveAdmin):
    resource_classes = [ClaimResource]
    form = ClaimForm
    list_display = [
        "value_printed",
        "unit",
        "bound",
        "figure",
        "article_title",
        "outlet",
        "status",
        "figure_status",
        "speaker",
    ]
    list_display_links = ["value_printed"]
    list_select_related = ["figure", "article__outlet", "speaker"]
    list_filter = [
        "status",
        "unit",
        "bound",
        FigureStatusFilter,
        ("article__outlet", admin.RelatedFieldListFilter),
        ("figure__operation", admin.RelatedFieldListFilter),
    ]
    search_fields = ["quote", "value_printed", "figure__title", "article__title"]
    autocomplete_fields = ["article", "figure", "speaker", "origin"]
    show_full_result_count = False
    readonly_fields = ["value_printed", "normalised_value", "position"]
    fieldsets = [
        (None, {"fields": [*ClaimForm.Meta.fields, "withdrawal_reason"]}),
        (
            "Derived from the quote",
            {
                "fields": ["value_printed", "normalised_value", "position"],
                "description": "Found on save: where the quote sits in the body and how the value is printed there.",
            },
        ),
    ]
    actions = [publish, unpublish]
    # Newest first, by the primary key's index: ordering by article would sort every claim.
    ordering = ["-pk"]

    def withdrawn_claims(self, queryset):
        return Claim.objects.published().filter(pk__in=queryset.values("pk"))

    def for_list(self, queryset):
        return queryset.defer("article__body", "article__provenance")

    def response_post_save_add(self, request, obj):
        return self._back_to_desk(request, obj) or super().response_post_save_add(request, obj)

    def response_post_save_change(self, request, obj):
        return self._back_to_desk(request, obj) or super().response_post_save_change(request, obj)

    def _back_to_desk(self, request, claim):
        """A saved claim returns to its article's claim desk, at the next number to claim, unless
        the editor came from the claims list, which keeps its filters."""
        if self.get_preserved_filters(request):
            return None
        from .desk import desk_numbers
        from .desk_admin import desk_url, next_unclaimed

        return HttpResponseRedirect(
            desk_url(claim.article, next_unclaimed(desk_numbers(claim.article), claim.value_start))
        )

    def get_search_results(self, request, queryset, search_term):
        """The default search over `search_fields`, each table searched by its own subquery,
        which a trigram index serves on PostgreSQL: the default's OR across the joined
        figure and article reads every claim."""
        for term in smart_split(searchable(search_term)):
            if term[0] in "\"'" and term[0] == term[-1]:
                term = unescape_string_literal(term)
            queryset = queryset.filter(
                Q(pk__in=matching(Claim, term, "quote", "value_printed"))
                | Q(figure__in=matching(Figure, term, "title"))
                | Q(article__in=matching(Article, term, "title"))
            )
        return queryset, False

    @admin.display(description="article", ordering="article__title")
    def article_title(self, claim):
        return Truncator(claim.article.title).chars(60)

    @admin.display(description="outlet", ordering="article__outlet__name")
    def outlet(self, claim):
        return claim.article.outlet

    @admin.display(description="figure status", ordering="figure__status")
    def figure_status(self, claim):
        return status_badge(claim.figure)

    @admin.display(description="position in the body")
    def position(self, claim):
        if claim.quote_start is None:
            return "Found when the claim is saved."
        return f"quote at characters {claim.quote_start:,}–{claim.quote_end:,}, value at {claim.value_start:,}"

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        # Each history row names the claim as it was, and a claim's name holds its
        # article's title: hand each past claim the article already joined to its row
        # rather than query for it once per row.
        for record in historical_records:
            claim = record.history_object
            claim.article = record.article
            record.history_object = claim

    def figure_ids_touched_by(self, claim_pks):
        return Claim.objects.filter(pk__in=claim_pks).values_list("figure_id", flat=True)
