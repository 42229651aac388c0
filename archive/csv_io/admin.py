"""django-import-export's admin integration, with the archive's CSV: the same resources,
checks and problem list as the command line, a size limit on uploads, and the import
report (counts, figures now disputed...) shown before anything is confirmed."""

import contextlib
import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.db import DataError
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV
from import_export.forms import ImportForm

from .files import log_rows
from .reading import ImportRefused, read_dataset

# The admin imports a file twice, to preview and to confirm, each within one web request
# that the server cuts off after 30 seconds (config/gunicorn.conf.py). 8 MB of new claims (some
# 51,000) took 10 and 14 seconds on a busy 2-core machine, 10 MB 12 and 16: too close to half
# the limit. Changed claims are no slower. Bigger files belong on the command line.
MAX_UPLOAD_MB = 8
# The kinds other than claims are checked and saved one row at a time, 50 to 100 rows a
# second: more rows than this would outlast a web request.
MAX_ROW_BY_ROW_ROWS = 1000
SHOWN_NOTICES = 50


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


class CsvImportExportMixin(ImportExportMixin):
    import_form_class = CsvImportForm
    import_template_name = "admin/archive/csv_import.html"
    export_template_name = "admin/archive/csv_export.html"

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
