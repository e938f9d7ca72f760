"""Every request gets an id: in the `X-Request-ID` answer header and on every log line
written while it is served (JSON logs: `request_id`), gunicorn's access line included.

A proxy or client may send its own `X-Request-ID` (so one id follows a request through
the load balancer and us); it is kept only if it is a short token of letters, digits and
`._:-` that the log redaction leaves alone (no phone number, nothing that looks like a
secret). Anything else is replaced by a fresh random id, never echoed.
"""

import re
import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from agentmatch.core.logging import REQUEST_ID_ENVIRON_KEY, current_request_id, redact

HEADER = "X-Request-ID"
# Where the id is kept in the WSGI environ (request.META is that dict): gunicorn's access
# log reads it after the answer has left (core/access_log.py).
ENVIRON_KEY = REQUEST_ID_ENVIRON_KEY
_SAFE = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def is_safe_request_id(value: str) -> bool:
    return bool(_SAFE.fullmatch(value)) and redact(value) == value


def new_request_id() -> str:
    return secrets.token_hex(16)


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every answer (redirects and errors too) carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if is_safe_request_id(incoming) else new_request_id()
        request.META[ENVIRON_KEY] = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request_id
        return response
