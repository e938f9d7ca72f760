"""Every answer under /api/ is JSON in one shape, {"error": {"field", "code", "message"}}.

Three layers, so nothing escapes it:
- django-ninja's exception handlers, for what happens inside an operation (validation, auth,
  an unreadable, over-large or non-JSON body, an unexpected exception);
- `ApiJsonErrorsMiddleware`, for answers made outside ninja (an unknown address, a method
  the operation does not take, django-axes' lockout page, Django's own 400/500 pages);
- `bad_request`, Django's handler400, so an over-large body read before ninja is a 413.
"""

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from agentmatch.core.json_errors import (
    control_characters_message,
    error_body,
    is_api_request,
    json_error,
)

logger = logging.getLogger("agentmatch.api")

# The code and message of an answer by its status, where nothing more precise is known.
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be read."),
    401: ("unauthorized", "A valid agent API token is required (Authorization: Bearer)."),
    403: ("forbidden", "This request is not allowed."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not take this method (see Allow)."),
    413: ("too_large", "The request body is too large."),
    415: (
        "unsupported_media_type",
        "Send the request body as JSON (Content-Type: application/json).",
    ),
    429: ("too_many_requests", "Too many requests: wait a while and try again."),
    500: ("server_error", "Something went wrong on our side. Try again later."),
}
# Headers of the replaced answer that still tell the client what to do.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class UnsupportedMediaType(Exception):
    """The body of an operation is not JSON."""


class ControlCharacterInBody(Exception):
    """A string in the JSON body carries a control character; `field` is its dotted path."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(field)


def status_error(status: int) -> tuple[str, str]:
    return STATUS_ERRORS.get(status, ("error", "The request failed."))


def api_error(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
) -> HttpResponse:
    return api.create_response(request, error_body(code, message, field), status=status)


def install_exception_handlers(api: NinjaAPI) -> None:
    respond = partial(api_error, api)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first: dict[str, Any] = exc.errors[0] if exc.errors else {}
        sources = ("body", "payload", "query", "path", "header", "cookie")
        loc = [str(p) for p in first.get("loc", []) if p not in sources]
        field = ".".join(loc) or None
        message = first.get("msg", "Invalid input")
        if first.get("type") == "control_characters":
            return respond(
                request, 422, "control_characters", control_characters_message(field or ""), field
            )
        if field:
            message = f"{field}: {message}"
        return respond(request, 422, "invalid", message, field)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, *status_error(401))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja turns anything its parser raises into a 400; ours say what was wrong.
        cause = exc.__cause__
        if isinstance(cause, UnsupportedMediaType):
            return respond(request, 415, *status_error(415))
        if isinstance(cause, ControlCharacterInBody):
            message = control_characters_message(cause.field)
            return respond(request, 422, "control_characters", message, cause.field)
        if exc.status_code == 400 and cause is not None:
            return respond(request, 400, "malformed_json", "The request body is not valid JSON.")
        code = status_error(exc.status_code)[0]
        return respond(request, exc.status_code, code, str(exc))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, *status_error(404))

    @api.exception_handler(RequestDataTooBig)
    def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, *status_error(413))

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged in full for us; the client learns nothing about the inside.
        logger.exception("Unhandled exception in %s %s", request.method, request.path)
        return respond(request, 500, *status_error(500))


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    return content_type.split(";")[0].strip().lower() in ("application/json",)


class ApiJsonErrorsMiddleware:
    """Replaces any non-JSON error answer under /api/ by the JSON error of its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_request(request) or _is_json(response):
            return response
        code, message = status_error(response.status_code)
        if response.status_code == 429 and getattr(request, "axes_locked_out", False):
            code, message = "locked_out", "Too many failed attempts: locked for a while."
        replacement = json_error(response.status_code, code, message)
        for header in KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400: an over-large body is a 413 under /api/."""
    if is_api_request(request):
        status = 413 if isinstance(exception, RequestDataTooBig) else 400
        return json_error(status, *status_error(status))
    return defaults.bad_request(request, exception)
