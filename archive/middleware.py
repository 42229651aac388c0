"""An editor's save waits only seconds for a row another editor or an import holds."""

from django.contrib import admin
from django.db import OperationalError, connection
from django.template.response import TemplateResponse
from django.urls import reverse

# Long enough for any other editor's save to finish; an import holds its rows for much longer.
LOCK_WAIT_SECONDS = 5
# PostgreSQL's lock_not_available (the wait above ran out) and deadlock_detected; SQLite's
# "database is locked".
BUSY_STATES = {"55P03", "40P01"}


def is_busy(error):
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) in BUSY_STATES or "database is locked" in str(error)


class AdminLockWaitMiddleware:
    """An admin write waits at most LOCK_WAIT_SECONDS for a lock; then nothing of it is written
    (its transaction rolled back) and the editor gets a page saying so, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def writes(self, request):
        return request.method not in ("GET", "HEAD", "OPTIONS") and request.path.startswith(reverse("admin:index"))

    def __call__(self, request):
        if not self.writes(request) or connection.vendor != "postgresql":
            return self.get_response(request)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{LOCK_WAIT_SECONDS}s"])
        try:
            return self.get_response(request)
        finally:
            if connection.connection is not None:
                with connection.cursor() as cursor:
                    cursor.execute("RESET lock_timeout")

    def process_exception(self, request, exception):
        if not (self.writes(request) and isinstance(exception, OperationalError) and is_busy(exception)):
            return None
        context = {**admin.site.each_context(request), "title": "Busy: nothing was saved", "wait": LOCK_WAIT_SECONDS}
        response = TemplateResponse(request, "admin/archive/busy.html", context, status=503)
        response["Retry-After"] = "30"
        return response
