"""One django-import-export resource per kind of row: the single definition of each CSV
format's columns and cells, used by the admin and by `archive_import` / `archive_export`.

Imports are all or nothing. Every row is validated with the model's own rules
(`full_clean()`, then `save()`), inside one transaction that is rolled back if any row has
a problem; the problems come back with their row and column. docs/csv.md describes the
formats.
"""

from diff_match_patch import diff_match_patch
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from import_export import resources, widgets
from import_export.fields import Field

from archive.models import (
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
    lock_imports,
)
from archive.vocabulary import Bound, Measure, Status, Unit

from . import cells
from .derived import Flags, notices
from .reading import CsvDataset, Problem, check_header
from .report import ImportReport
from .widgets import ChoiceWidget, DateWidget, DecimalWidget, ManyReferenceWidget, ReferenceWidget, TextWidget

EXPORT_CHUNK = 2000


def text(name, **options):
    return Field(attribute=name, column_name=name, widget=TextWidget(), **options)


def choice(name, choices, what, **options):
    return Field(attribute=name, column_name=name, widget=ChoiceWidget(choices, what), **options)


def date(name):
    return Field(attribute=name, column_name=name, widget=DateWidget())


def reference(name, model, keys, required=False):
    widget = ReferenceWidget(model, keys, required, write_order=WRITE_ORDER.get(keys))
    return Field(attribute=f"{name}_id", column_name=name, widget=widget)


# How each kind is named in other kinds' rows, in the order names are tried...
OUTLET_KEYS = ("name", "slug")
ORGANISATION_KEYS = ("name", "short_name", "slug")
PERSON_KEYS = ("name", "slug")
ORIGIN_KEYS = ("name", "slug")
OPERATION_KEYS = ("slug", "name", "aliases__name")
ARTICLE_KEYS = ("slug", "url")
FIGURE_KEYS = ("slug",)
# ... and, where it differs, the order they are written in: “GACC” reads better than its full name.
WRITE_ORDER = {ORGANISATION_KEYS: ("short_name", "name", "slug")}


class LaterRowsReferenceWidget(ReferenceWidget):
    """A reference to a row of the same kind, which an earlier row of the same file may have just
    added: the names are read again when a name is not found."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            self._index = None
            return super().clean(value, row, **kwargs)


class PreviewDiff(resources.Diff):
    """The import preview's cells of what each row changes, marked up for admin.css to colour:
    the library's (diff-match-patch's prettyHtml) colours them by style attributes, which the
    Content-Security-Policy refuses."""

    TAGS = {
        diff_match_patch.DIFF_INSERT: ("ins", "diff-insert"),
        diff_match_patch.DIFF_DELETE: ("del", "diff-delete"),
        diff_match_patch.DIFF_EQUAL: ("span", "diff-equal"),
    }

    def as_html(self):
        dmp = diff_match_patch()
        cells = []
        for before, after in zip(self.left, self.right, strict=False):
            if before != after and self.new:
                before = ""
            changes = dmp.diff_main(force_str(before), force_str(after))
            dmp.diff_cleanupSemantic(changes)
            cells.append(
                format_html_join(
                    "",
                    '<{0} class="{1}">{2}</{0}>',
                    ((*self.TAGS[change], linebreaks_shown(text)) for change, text in changes),
                )
            )
        return cells


def linebreaks_shown(text):
    """Escaped text whose line breaks show, as the library's preview shows them: ¶ and a new line."""
    return mark_safe(escape(text).replace("\n", "&para;<br>"))


class ArchiveResource(resources.ModelResource):
    kind = ""  # as the command line names it: "outlets"
    required = ()  # columns every file of this kind must have
    row_by_row = True  # imported by the library's row loop, with the model's full_clean() and save()
    natural_keys = ()  # unique fields that find an existing row when its slug cell is empty
    title_column = "name"  # what the model makes a slug from

    class Meta:
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    @classmethod
    def get_result_class(cls):
        return ImportReport

    @classmethod
    def get_diff_class(cls):
        return PreviewDiff

    @classmethod
    def get_display_name(cls):
        return cls.kind

    @classmethod
    def columns(cls):
        return [cls.fields[name].column_name for name in cls._meta.export_order]

    @classmethod
    def check_header(cls, header):
        return check_header(header, cls.kind, cls.columns(), cls.required)

    def __init__(self, max_rows=None, **kwargs):
        """`max_rows`: refuse files with more rows (the admin's limit for row-by-row kinds)."""
        super().__init__(**kwargs)
        self.max_rows = max_rows

    # Import

    def refused(self, dataset):
        """A report refusing the whole file, or None: its header is wrong, or it is too long."""
        problems = self.check_header(dataset.headers or [])
        if not problems and self.max_rows and len(dataset) > self.max_rows:
            problems = [
                Problem(
                    None,
                    None,
                    f"This file has {len(dataset):,} rows; the admin imports at most {self.max_rows:,} "
                    f"{self.kind} at a time, each checked and saved on its own. Import it on the command "
                    f"line instead: python manage.py archive_import {self.kind} FILE.",
                )
            ]
        if problems:
            result = self.get_result_class()()
            result.problems = problems
            return result
        return None

    def import_data(self, dataset, dry_run=False, **kwargs):
        """All or nothing, whatever the caller asks: the admin's confirm step and the command line
        alike roll everything back when any row has a problem."""
        if refused := self.refused(dataset):
            return refused
        kwargs.update(raise_errors=False, use_transactions=True, rollback_on_validation_errors=True)
        with transaction.atomic(using=self.get_db_connection_name()):
            lock_imports(self.get_db_connection_name())
            result = super().import_data(dataset, dry_run=dry_run, **kwargs)
            result.problems = sorted(
                [*getattr(dataset, "problems", []), *self.problems_of(result, dataset)],
                key=lambda problem: problem.row or 0,
            )
            if result.problems:
                result.notices = []
                transaction.set_rollback(True, using=self.get_db_connection_name())
        return result

    def before_import(self, dataset, **kwargs):
        self.flags_before = Flags.now()
        self.row_numbers = getattr(dataset, "row_numbers", None)
        self.seen = {}

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not result.has_errors() and not result.has_validation_errors():
            result.notices = notices(self.flags_before, Flags.now())

    def file_row(self, number):
        """The spreadsheet row of the dataset's `number`th row (1-based, header excluded)."""
        return self.row_numbers[number - 1] if self.row_numbers else number + 1

    def problems_of(self, result, dataset):
        columns = {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
        problems = [Problem(None, None, str(error.error)) for error in result.base_errors]
        for invalid in result.invalid_rows:
            for key, messages in invalid.error_dict.items():
                column = None if key == NON_FIELD_ERRORS else columns.get(key, key)
                problems.extend(Problem(self.file_row(invalid.number), column, message) for message in messages)
        for row in result.error_rows:
            problems.extend(Problem(self.file_row(row.number), None, str(error.error)) for error in row.errors)
        return problems

    def cell(self, row, column):
        """A text cell as the row gives it, or "" when absent or unreadable (validation says why)."""
        try:
            return cells.read_text(row.get(column) or "")
        except ValueError:
            return ""

    def lookup(self, row):
        """(field, value) that finds this row's existing instance: the slug, else a natural key,
        else the slug the model would make from the title or name."""
        if self.cell(row, "slug"):
            return "slug", self.cell(row, "slug")
        for field in self.natural_keys:
            if self.cell(row, field):
                return field, self.cell(row, field)
        return "slug", slugify(self.cell(row, self.title_column))[:120]

    def get_instance(self, instance_loader, row):
        field, value = self.lookup(row)
        return self._meta.model.objects.filter(**{field: value}).first() if value else None

    def after_init_instance(self, instance, new, row, **kwargs):
        """Refuse a row that imports the same instance as an earlier row of the file."""
        field, value = self.lookup(row)
        keys = [(field, value)] if new else [(field, value), ("pk", instance.pk)]
        earlier = next((self.seen[key] for key in keys if key in self.seen), None)
        if earlier:
            column = field if field in self.fields else self.title_column
            raise ValidationError({column: f"row {earlier} already imports this {self._meta.model._meta.verbose_name}"})
        for key in keys:
            self.seen[key] = self.file_row(kwargs["row_number"])

    def import_instance(self, instance, row, **kwargs):
        """The library's, with errors keyed by column (= model field) rather than attribute, so
        the model's own validation skips a column whose cell was already refused, and with
        many-to-many cells checked here rather than failing at save time."""
        columns = {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = {columns.get(key, key): messages for key, messages in error.message_dict.items()}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.column_name] = [str(error)]
        errors.update(self.check_related(instance, row))
        if hasattr(instance, "slug") and not instance.slug:
            instance.slug = slugify(str(instance))[:120]  # as SlugModel.save() would, but before validation
        if errors:
            raise ValidationError(errors)

    def check_related(self, instance, row):
        """{column: [messages]} for cells saved outside the model's own fields."""
        return {}

    def before_save_instance(self, instance, row, **kwargs):
        if kwargs.get("user"):
            instance._history_user = kwargs["user"]

    # Export

    def get_export_queryset(self, queryset=None):
        """Oldest first, so a file imported into an empty archive exports again byte for byte."""
        return (self.get_queryset() if queryset is None else queryset).order_by("pk")

    def export_rows(self, queryset=None, export_fields=None):
        """The header, then one list of cells per row, read from the database in chunks.

        Fields that are plain columns are rendered from `values_list()` rows, which is several
        times faster than model instances; the others (aliases, coordinators) need instances."""
        fields = self.get_export_fields(export_fields)
        queryset = self.get_export_queryset(queryset)
        yield [field.column_name for field in fields]
        if any(not field.attribute or isinstance(field.widget, widgets.ManyToManyWidget) for field in fields):
            for instance in self.iter_queryset(queryset):
                yield [self.export_field(field, instance) for field in fields]
            return
        renders = [field.widget.render for field in fields]
        for values in queryset.values_list(*(field.attribute for field in fields)).iterator(EXPORT_CHUNK):
            yield [render(value) for render, value in zip(renders, values, strict=True)]

    def export(self, queryset=None, **kwargs):
        rows = self.export_rows(queryset, kwargs.get("export_fields"))
        dataset = CsvDataset(headers=next(rows))
        for row in rows:
            dataset.append(row)
        return dataset

    def get_chunk_size(self):
        return EXPORT_CHUNK


class OutletResource(ArchiveResource):
    kind = "outlets"
    required = ("name",)
    natural_keys = ("name",)

    slug = text("slug")
    name = text("name")
    website = text("website")
    country = text("country")

    class Meta:
        model = Outlet
        fields = export_order = ("slug", "name", "website", "country")


class OrganisationResource(ArchiveResource):
    kind = "organisations"
    required = ("name",)
    natural_keys = ("name",)

    slug = text("slug")
    name = text("name")
    short_name = text("short_name")
    kind_ = choice("kind", Organisation.Kind, "a kind of organisation", default=Organisation.Kind.GOVERNMENT)
    country = text("country")
    description = text("description")

    class Meta:
        model = Organisation
        fields = export_order = ("slug", "name", "short_name", "kind_", "country", "description")


class PersonResource(ArchiveResource):
    kind = "people"
    required = ("name",)

    slug = text("slug")
    name = text("name")
    role = text("role")
    organisation = reference("organisation", Organisation, ORGANISATION_KEYS)

    class Meta:
        model = Person
        fields = export_order = ("slug", "name", "role", "organisation")


class OriginResource(ArchiveResource):
    kind = "origins"
    required = ("name",)
    natural_keys = ("name",)

    slug = text("slug")
    name = text("name")
    kind_ = choice("kind", Origin.Kind, "a kind of origin", default=Origin.Kind.EVENT)
    person = reference("person", Person, PERSON_KEYS)
    organisation = reference("organisation", Organisation, ORGANISATION_KEYS)
    held_on = date("held_on")
    description = text("description")

    class Meta:
        model = Origin
        fields = export_order = ("slug", "name", "kind_", "person", "organisation", "held_on", "description")


class OperationResource(ArchiveResource):
    """Aliases are written in one cell, separated by “;”, and their notes in another, one line
    per alias that has one: “Operation Earth Goddess: Global Times' name for it”.

    The `aliases` cell replaces an operation's aliases (so an export imports back as it was);
    `add_aliases`, which no export writes, adds to them. A row that updates an operation may
    leave out any column but the slug; one that creates an operation needs `required_to_create`."""

    kind = "operations"
    required = ("slug",)
    required_to_create = ("name", "start_date", "end_date")
    import_only_columns = ("add_aliases",)
    natural_keys = ("name",)

    slug = text("slug")
    name = text("name")
    aliases = Field(column_name="aliases", widget=TextWidget())
    alias_notes = Field(column_name="alias_notes", widget=TextWidget())
    focus = text("focus")
    coordinators = Field(
        attribute="coordinators",
        column_name="coordinators",
        widget=ManyReferenceWidget(Organisation, ORGANISATION_KEYS, WRITE_ORDER[ORGANISATION_KEYS]),
    )
    start_date = date("start_date")
    end_date = date("end_date")
    description = text("description")

    class Meta:
        model = Operation
        fields = export_order = (
            "slug",
            "name",
            "aliases",
            "alias_notes",
            "focus",
            "coordinators",
            "start_date",
            "end_date",
            "description",
        )

    def get_queryset(self):
        return Operation.objects.prefetch_related("aliases", "coordinators")

    @classmethod
    def check_header(cls, header):
        problems = check_header(header, cls.kind, [*cls.columns(), *cls.import_only_columns], cls.required)
        if "aliases" in header and "add_aliases" in header:
            problems.append(
                Problem(
                    1,
                    "add_aliases",
                    "a file has either aliases (which replace an operation's aliases) or add_aliases (which add "
                    "to them), not both: remove one of the two columns",
                )
            )
        return problems

    def after_init_instance(self, instance, new, row, **kwargs):
        """Refuse a row that would create an operation without the columns a new one needs."""
        super().after_init_instance(instance, new, row, **kwargs)
        missing = [column for column in self.required_to_create if column not in row]
        if new and missing:
            field, value = self.lookup(row)
            found = f"no operation has the {field} {cells.shown(value)}" if value else f"the {field} cell is empty"
            raise ValidationError(
                {
                    field: f"{found}, so this row would create an operation, and a new operation needs the columns "
                    f"{', '.join(self.required_to_create)}: add {', '.join(missing)} to the file, or give the slug "
                    "of an existing operation"
                }
            )

    def dehydrate_aliases(self, operation):
        return cells.neutralise("; ".join(alias.name for alias in operation.aliases.all()))

    def dehydrate_alias_notes(self, operation):
        return cells.neutralise(
            "\n".join(f"{alias.name}: {alias.note}" for alias in operation.aliases.all() if alias.note)
        )

    def read_aliases(self, instance, row):
        """[(name, note or None to keep the current one)]: every alias the operation is to have after
        this row, from its `aliases` or `add_aliases` cell; or ValidationError by column."""
        column = "aliases" if "aliases" in row else "add_aliases"
        texts, problems = {}, {}
        for name in (column, "alias_notes"):
            try:
                texts[name] = cells.read_text(row.get(name) or "")
            except ValueError as error:
                problems[name] = [str(error)]
        if problems:
            raise ValidationError(problems)
        names = [name.strip() for name in texts[column].split(";") if name.strip()]
        folded = [name.casefold() for name in names]
        repeated = sorted({name for name, key in zip(names, folded, strict=True) if folded.count(key) > 1})
        if repeated:
            problems[column] = [f"{cells.shown(repeated[0])} is listed twice"]
        too_long = [name for name in names if len(name) > OperationAlias._meta.get_field("name").max_length]
        if too_long:
            problems[column] = [f"{cells.shown(too_long[0])} is longer than 200 characters"]
        for name in names:
            taken = Operation.objects.filter(name__iexact=name).exclude(pk=instance.pk).first()
            taken = taken or Operation.objects.filter(aliases__name__iexact=name).exclude(pk=instance.pk).first()
            if taken:
                problems.setdefault(column, []).append(f"{cells.shown(name)} already names the operation {taken.slug}")
        notes = {}
        if "alias_notes" in row:
            for line in texts["alias_notes"].split("\n"):
                line = line.rstrip("\r")
                if not line.strip():
                    continue
                owner = max((name for name in names if line.startswith(f"{name}:")), key=len, default=None)
                if owner is None:
                    problems.setdefault("alias_notes", []).append(
                        f"the line {cells.shown(line)} does not start with one of this row's aliases and a colon"
                    )
                    continue
                note = line[len(owner) + 1 :]
                notes[owner] = note[1:] if note.startswith(" ") else note
        if problems:
            raise ValidationError(problems)
        if column == "add_aliases":
            return self.added_aliases(instance, names, notes)
        keep_notes = "alias_notes" not in row
        return [(name, None if keep_notes else notes.get(name, "")) for name in names]

    def added_aliases(self, instance, names, notes):
        """The operation's aliases with `names` added: a name it already has (in any case) keeps its
        spelling, and its note unless the row gives one; a new name gets the row's note or none."""
        current = [alias.name for alias in instance.aliases.all()] if instance.pk else []
        stored = {name.casefold(): name for name in current}
        aliases = {name: None for name in current}
        for name in names:
            if name.casefold() in stored:
                aliases[stored[name.casefold()]] = notes.get(name)
            else:
                aliases[name] = notes.get(name, "")
        return list(aliases.items())

    def check_related(self, instance, row):
        instance.csv_aliases = None
        if "aliases" not in row and "add_aliases" not in row:
            return {}
        try:
            instance.csv_aliases = self.read_aliases(instance, row)
        except ValidationError as error:
            return error.message_dict
        return {}

    def aliases_changed(self, instance):
        if instance.csv_aliases is None:
            return False
        current = {alias.name: alias.note for alias in instance.aliases.all()} if instance.pk else {}
        wanted = {name: current.get(name, "") if note is None else note for name, note in instance.csv_aliases}
        return wanted != current

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        return skip and not self.aliases_changed(instance)

    def after_save_instance(self, instance, row, **kwargs):
        if instance.csv_aliases is None:
            return
        current = {alias.name: alias for alias in instance.aliases.all()}
        wanted = dict(instance.csv_aliases)
        instance.aliases.exclude(name__in=wanted).delete()
        for name, note in instance.csv_aliases:
            alias = current.get(name)
            if alias is None:
                alias = OperationAlias(operation=instance, name=name, note=note or "")
            elif note is None or note == alias.note:
                continue
            else:
                alias.note = note
            if kwargs.get("user"):
                alias._history_user = kwargs["user"]
            alias.save()


class PartOfResource(ArchiveResource):
    """A row states that, in an operation, one organisation or scope is part of another. It has no
    slug: a row is the statement of its operation, part and whole, and an import adds statements
    or changes their notes."""

    kind = "parts"
    required = ("operation", "part", "whole")

    operation = reference("operation", Operation, OPERATION_KEYS, required=True)
    part = reference("part", Organisation, ORGANISATION_KEYS, required=True)
    whole = reference("whole", Organisation, ORGANISATION_KEYS, required=True)
    note = text("note")

    class Meta:
        model = PartOf
        fields = export_order = ("operation", "part", "whole", "note")

    def lookup(self, row):
        """("operation", the row's operation, part and whole): by their pks when every cell names
        one, else by the cells as written (the cells' problems are reported by validation)."""
        try:
            return "operation", tuple(self.fields[name].clean(row) for name in PartOfResource.required)
        except (KeyError, ValueError):
            return "operation", tuple(self.cell(row, name) for name in PartOfResource.required)

    def get_instance(self, instance_loader, row):
        _, key = self.lookup(row)
        if not all(isinstance(pk, int) for pk in key):
            return None
        operation, part, whole = key
        return PartOf.objects.filter(operation_id=operation, part_id=part, whole_id=whole).first()


class ArticleResource(ArchiveResource):
    kind = "articles"
    required = ("url", "outlet", "title", "published_on", "body")
    natural_keys = ("url",)
    title_column = "title"

    slug = text("slug")
    url = text("url")
    outlet = reference("outlet", Outlet, OUTLET_KEYS, required=True)
    title = text("title")
    published_on = date("published_on")
    byline = text("byline")
    language = text("language", default="en")
    status = choice("status", Status, "a status", default=Status.DRAFT)
    provenance = text("provenance")
    body = text("body")
    copy_of = Field(
        attribute="copy_of_id", column_name="copy_of", widget=LaterRowsReferenceWidget(Article, ARTICLE_KEYS)
    )

    class Meta:
        model = Article
        fields = export_order = (
            "slug",
            "url",
            "outlet",
            "title",
            "published_on",
            "byline",
            "language",
            "status",
            "provenance",
            "body",
            "copy_of",
        )


class FigureResource(ArchiveResource):
    kind = "figures"
    required = ("slug", "title", "operation", "organisation", "measure", "period_start", "period_end")
    title_column = "title"

    slug = text("slug")
    title = text("title")
    operation = reference("operation", Operation, OPERATION_KEYS)
    organisation = reference("organisation", Organisation, ORGANISATION_KEYS, required=True)
    measure = choice("measure", Measure, "a measure")
    subject = text("subject")
    period_start = date("period_start")
    period_end = date("period_end")
    notes = text("notes")

    class Meta:
        model = Figure
        fields = export_order = (
            "slug",
            "title",
            "operation",
            "organisation",
            "measure",
            "subject",
            "period_start",
            "period_end",
            "notes",
        )


class ClaimResource(ArchiveResource):
    """Claims have no slug: a row is the claim of its article and figure whose quote starts
    where this row's quote is found in the body (the database's unique key).

    Imports and exports take a faster path than the library's row loop (see claims.py);
    these fields still define the columns and read and write every cell."""

    kind = "claims"
    required = ("article", "figure", "quote", "value", "unit", "bound")
    row_by_row = False

    article = reference("article", Article, ARTICLE_KEYS, required=True)
    figure = reference("figure", Figure, FIGURE_KEYS, required=True)
    quote = text("quote")
    value = Field(attribute="value", column_name="value", widget=DecimalWidget())
    value_high = Field(attribute="value_high", column_name="value_high", widget=DecimalWidget())
    unit = choice("unit", Unit, "a unit")
    bound = choice("bound", Bound, "a bound", default=Bound.EXACT)
    stated_on = date("stated_on")
    speaker = reference("speaker", Person, PERSON_KEYS)
    speaker_title = text("speaker_title")
    origin = reference("origin", Origin, ORIGIN_KEYS)
    origin_words = text("origin_words")
    status = choice("status", Status, "a status", default=Status.DRAFT)
    note = text("note")

    class Meta:
        model = Claim
        fields = export_order = (
            "article",
            "figure",
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
            "note",
        )

    def import_data(self, dataset, dry_run=False, **kwargs):
        from .claims import ClaimImport

        if refused := self.refused(dataset):
            return refused
        return ClaimImport(self, user=kwargs.get("user")).run(dataset, dry_run=dry_run)


RESOURCES = {
    resource.kind: resource
    for resource in (
        OutletResource,
        OrganisationResource,
        PersonResource,
        OriginResource,
        OperationResource,
        PartOfResource,
        ArticleResource,
        FigureResource,
        ClaimResource,
    )
}
