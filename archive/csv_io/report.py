from import_export.results import Result, RowResult


class ImportReport(Result):
    """The library's import result, plus the problems that refused the import (each with its
    row and column) and the notices an editor should read (figures now disputed...)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems = []
        self.notices = []

    @property
    def created(self):
        return self.totals[RowResult.IMPORT_TYPE_NEW]

    @property
    def updated(self):
        return self.totals[RowResult.IMPORT_TYPE_UPDATE]

    @property
    def unchanged(self):
        return self.totals[RowResult.IMPORT_TYPE_SKIP]

    def has_validation_errors(self):
        return bool(self.problems) or super().has_validation_errors()

    def summary(self, kind):
        return f"{kind}: {self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged"
