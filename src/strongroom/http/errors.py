"""The one place an exception becomes an HTTP response."""

from __future__ import annotations

import logging

from strongroom.errors import StrongroomError
from strongroom.http.wire import json_response

log = logging.getLogger(__name__)

Rendered = tuple[int, bytes]


def render_error(exc: BaseException) -> Rendered:
    if isinstance(exc, StrongroomError):
        if exc.status == 500:
            log.error("request failed: %s", exc.message)
        return exc.status, json_response({"errors": exc.errors})
    # Never show an unknown error's text: it may carry a secret. The traceback goes to the log.
    log.exception("unexpected error while handling a request", exc_info=exc)
    return 500, json_response({"errors": ["internal error"]})
