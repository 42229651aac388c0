"""django-import-export's admin integration, with the archive's CSV: the same resources,
checks and problem list as the command line, a size limit on uploads, and the import
report (counts, figures now disputed...) shown before anything is confirmed."""

import contextlib
import csv
import io
import os
import zipfile

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV
from import_export.forms import ImportForm

from .bundles import BundleRefused, import_bundle, open_bundle
from .files import log_rows
from .reading import ImportRefused, read_dataset
from .resources import RESOURCES

# The admin imports a file twice, to preview and to confirm, each within one web request
# that the server cuts off after 30 seconds (config/gunicorn.conf.py). 8 MB of new claims (some
# 51,000) took 10 and 14 seconds on a busy 2-core machine, 10 MB 12 and 16: too close to half
# the limit. Changed claims are no slower. Bigger files belong on the command line.
MAX_UPLOAD_MB = 8
# The kinds other than claims are checked and saved one row at a time, 50 to 100 rows a
# second: more rows than this would outlast a web request.
MAX_ROW_BY_ROW_ROWS = 1000
SHOWN_NOTICES = 50
TOO_BIG_FOR_THE_ADMIN = (
    "import it on the command line instead: python manage.py archive_import --bundle FILE [FILE ...]"
)


class ArchiveCSV(CSV):
    """CSV as docs/csv.md describes it: read as bytes so the encoding is checked here, and
    written with the same writer as `archive_export`, so both give the same bytes."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_dataset(io.BytesIO(in_stream))

    def export_data(self, dataset, **kwargs):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(dataset.headers)
        writer.writerows(dataset)
        return buffer.getvalue()


class PendingFileGone(Exception):
    pass


class HeldUpload:
    """Mixed into the storage that holds an upload from its preview to its confirmation: a file
    no longer there (already imported by an earlier submit, or evicted from the cache) raises
    PendingFileGone, where the temp folder would raise FileNotFoundError and the cache give None."""

    def read(self):
        try:
            data = super().read()
        except FileNotFoundError:
            data = None
        if data is None:
            raise PendingFileGone
        return data

    def remove(self):
        # A confirmation submitted twice at once: the other request may have removed it first.
        with contextlib.suppress(FileNotFoundError):
            super().remove()


class CsvImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"This file is {upload.size / (1024 * 1024):.1f} MB; the admin imports files of up to "
                f"{MAX_UPLOAD_MB} MB. Import it on the command line instead: "
                "python manage.py archive_import KIND FILE."
            )
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, as Django's documentation shows it: a list of uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean = super().clean
        return [clean(upload, initial) for upload in data] if isinstance(data, list | tuple) else [clean(data, initial)]


class BundleForm(forms.Form):
    bundle_files = MultipleFileField(
        label="CSV files, or a zip of them",
        help_text="Choose several files at once (Ctrl or ⌘ and click), each named after its kind: "
        "outlets.csv, articles-2019.csv, claims.csv…",
    )

    def clean_bundle_files(self):
        uploads = self.cleaned_data["bundle_files"]
        size = sum(upload.size for upload in uploads)
        if size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"These files come to {size / (1024 * 1024):.1f} MB; the admin imports bundles of up to "
                f"{MAX_UPLOAD_MB} MB. Import them on the command line instead: "
                "python manage.py archive_import --bundle FILE [FILE ...]."
            )
        return uploads


class HeldBundleForm(forms.Form):
    held_bundle = forms.CharField(widget=forms.HiddenInput)

    def clean_held_bundle(self):
        return os.path.basename(self.cleaned_data["held_bundle"])  # a name in the storage, never a path


class CsvImportExportMixin(ImportExportMixin):
    import_form_class = CsvImportForm
    import_template_name = "admin/archive/csv_import.html"
    export_template_name = "admin/archive/csv_export.html"

    def get_urls(self):
        bundle = self.admin_site.admin_view(self.import_bundle_action)
        name = f"{self.opts.app_label}_{self.opts.model_name}_import_bundle"
        return [path("import-bundle/", bundle, name=name), *super().get_urls()]

    def get_import_formats(self):
        return [ArchiveCSV]

    def get_export_formats(self):
        return [ArchiveCSV]

    def get_import_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_import_resource_kwargs(request, **kwargs)
        resource = self.get_import_resource_classes(request)[0]
        return {**kwargs, "max_rows": MAX_ROW_BY_ROW_ROWS if resource.row_by_row else None}

    def get_import_context_data(self, **kwargs):
        limits = {"max_upload_mb": MAX_UPLOAD_MB, "max_rows": f"{MAX_ROW_BY_ROW_ROWS:,}"}
        return {**super().get_import_context_data(**kwargs), **limits}

    def add_data_read_fail_error_to_form(self, form, e):
        if not isinstance(e, ImportRefused):
            return super().add_data_read_fail_error_to_form(form, e)
        for problem in e.problems:
            form.add_error("import_file", str(problem))

    def get_tmp_storage_class(self):
        storage = super().get_tmp_storage_class()
        return type(storage.__name__, (HeldUpload, storage), {})

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except PendingFileGone:
            messages.error(
                request,
                "The file you previewed is no longer held: it was already imported or it expired; "
                "nothing was imported now. Upload it again.",
            )
            return HttpResponseRedirect(self.import_url())

    def import_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def export_action(self, request):
        """The export builds the list's queryset again from its filters and sort: those the list
        cannot use are answered as the list answers them, on the list, with why nothing was exported."""
        try:
            return super().export_action(request)
        except (IncorrectLookupParameters, DataError):
            messages.error(
                request,
                "Nothing was exported: the list's filters or sort in the export's address are not valid "
                "(a value of the wrong kind, or out of range). Filter the list again and export from it.",
            )
            changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{changelist}?{ERROR_FLAG}=1")

    def process_result(self, result, request):
        """The confirmed import found problems the preview did not (the archive changed in
        between): nothing was written; say so and go back to the import page."""
        if result.problems:
            shown = "; ".join(str(problem) for problem in result.problems[:10])
            more = f" (and {len(result.problems) - 10} more)" if len(result.problems) > 10 else ""
            messages.error(request, f"Nothing was imported: {shown}{more}.")
            return HttpResponseRedirect(self.import_url())
        return super().process_result(result, request)

    def generate_log_entries(self, result, request):
        log_rows(result, request.user)

    def add_success_message(self, result, request):
        messages.success(request, f"Import finished: {result.summary(self.opts.verbose_name_plural)}.")
        for notice in result.notices[:SHOWN_NOTICES]:
            messages.warning(request, notice[0].upper() + notice[1:] + ".")
        if len(result.notices) > SHOWN_NOTICES:
            messages.warning(request, f"... and {len(result.notices) - SHOWN_NOTICES} more notes.")

    # Bundles: several files of several kinds imported as one (archive/csv_io/bundles.py)

    def import_bundle_action(self, request):
        """Upload several files or a zip, see each file's counts and problems (a dry run of the whole
        bundle), then confirm: the bundle is held in the import's temporary storage, as one zip,
        until then. Open to whoever may change some kind; a bundle only to who may change all of its."""
        if not any(may_change(request.user, kind) for kind in RESOURCES):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a bundle of CSV files",
            "opts": self.opts,
            "kinds": list(RESOURCES),
            "max_upload_mb": MAX_UPLOAD_MB,
            "max_rows": f"{MAX_ROW_BY_ROW_ROWS:,}",
        }
        if request.method == "POST" and "held_bundle" in request.POST:
            return self.confirm_bundle(request)
        form = BundleForm(request.POST, request.FILES) if request.method == "POST" else BundleForm()
        context["form"] = form
        status = 200
        if form.is_valid():
            try:
                held = held_bundle(form.cleaned_data["bundle_files"])
                files = open_bundle([("bundle.zip", io.BytesIO(held))], MAX_UPLOAD_MB, TOO_BIG_FOR_THE_ADMIN)
            except BundleRefused as refused:
                for problem in refused.problems:
                    form.add_error("bundle_files", str(problem))
            else:
                denied = denied_kinds(request.user, files)
                if denied:
                    form.add_error("bundle_files", denied)
                    status = 403
                else:
                    report = import_bundle(
                        files, dry_run=True, user=request.user, max_row_by_row_rows=MAX_ROW_BY_ROW_ROWS
                    )
                    context["report"] = report
                    if not report.problems:
                        storage = self.get_tmp_storage_class()(read_mode="rb", **self.get_tmp_storage_class_kwargs())
                        storage.save(held)
                        context["confirm_form"] = HeldBundleForm(initial={"held_bundle": storage.name})
        return TemplateResponse(request, "admin/archive/csv_bundle.html", context, status=status)

    def confirm_bundle(self, request):
        here = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_bundle")
        form = HeldBundleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was imported: the confirmation names no bundle. Upload it again.")
            return HttpResponseRedirect(here)
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["held_bundle"], read_mode="rb", **self.get_tmp_storage_class_kwargs()
        )
        try:
            held = storage.read()
        except PendingFileGone:
            messages.error(
                request,
                "The bundle you previewed is no longer held: it was already imported or it expired; nothing was "
                "imported now. Upload it again.",
            )
            return HttpResponseRedirect(here)
        files = open_bundle([("bundle.zip", io.BytesIO(held))], MAX_UPLOAD_MB, TOO_BIG_FOR_THE_ADMIN)
        if denied := denied_kinds(request.user, files):
            raise PermissionDenied(denied)
        report = import_bundle(files, user=request.user, max_row_by_row_rows=MAX_ROW_BY_ROW_ROWS)
        storage.remove()
        problems = report.problems
        if problems:
            # The archive changed between the preview and the confirmation.
            shown = "; ".join(str(problem) for problem in problems[:10])
            more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
            messages.error(request, f"Nothing was imported: {shown}{more}.")
            return HttpResponseRedirect(here)
        for file_report in report.files:
            messages.success(request, f"Imported {file_report.summary()}.")
        for notice in report.notices[:SHOWN_NOTICES]:
            messages.warning(request, notice[0].upper() + notice[1:] + ".")
        if len(report.notices) > SHOWN_NOTICES:
            messages.warning(request, f"... and {len(report.notices) - SHOWN_NOTICES} more notes.")
        return HttpResponseRedirect(reverse("admin:app_list", kwargs={"app_label": self.opts.app_label}))


def may_change(user, kind):
    opts = RESOURCES[kind]._meta.model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")


def denied_kinds(user, files):
    """Why `user` may not import these files, or "": the change permission on every kind they hold,
    as for a single file."""
    denied = [file for file in files if not may_change(user, file.kind)]
    if not denied:
        return ""
    kinds = list(dict.fromkeys(file.kind for file in denied))
    return (
        f"You may not change {', '.join(kinds)}, so you may not import "
        f"{', '.join(file.name for file in denied)}: remove {'them' if len(denied) > 1 else 'it'} from the bundle, "
        "or ask an administrator for the permission."
    )


def held_bundle(uploads):
    """The uploaded files as one zip to hold between the preview and the confirmation: the CSV files
    as uploaded, the CSV files of each zip (checked as any zip is, bound by the upload limit)."""
    files = open_bundle([(upload.name, upload) for upload in uploads], MAX_UPLOAD_MB, TOO_BIG_FOR_THE_ADMIN)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as held:
        for file in files:
            held.writestr(file.name, file.stream.read())
    return buffer.getvalue()
