"""Logging: refused requests in one line each."""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    """Drop the traceback from log records of refused requests (4xx).

    Django logs a PermissionDenied or a bad Host header with the exception attached, so
    each probe of a page someone may not see filled the log with a traceback that says
    nothing the first line does not (status, path, reason). Errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        refused = (status is not None and 400 <= status < 500) or record.name.startswith(
            "django.security"
        )
        if refused:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
