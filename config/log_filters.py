import logging


class ClientErrorsInOneLine(logging.Filter):
    """A refused request (4xx) is the visitor's doing, not a fault of the code: Django logs a 403
    with the traceback of the PermissionDenied that answered it, a page of noise for each refusal.
    Keep its one line, with who asked and how; server errors (5xx) keep their tracebacks."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        # The development server logs its own lines with the socket as `request`: leave those be.
        if status is not None and status < 500 and hasattr(request, "method"):
            user = getattr(request, "user", None)
            who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
            record.msg = f"{record.getMessage()} ({request.method} by {who}, {status})"
            record.args = ()
            record.exc_info = record.exc_text = None
        return True
