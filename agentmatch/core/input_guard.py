"""Refuses requests whose address, query or form parameters or headers carry control
characters, before any view sees them.

A NUL byte reaches PostgreSQL as an error (a 500), and other C0 control characters have no
business in a name, a search or a token: they only ever come from a broken client or an
attacker probing for injection. Refusing them here, once, covers every page, form and API
operation, present and future, with a clear 400 that names the parameter.
"""

import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from agentmatch.core.json_errors import control_characters_message, is_api_request, json_error

# C0 controls. Tab, line feed and carriage return are ordinary in a multi-line text box.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f]")
CONTROL_CHARACTERS_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# In a header value only a tab is legal whitespace (RFC 9110, field-value).
CONTROL_CHARACTERS_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f]")


def first_bad_parameter(request: HttpRequest) -> str | None:
    """The name of the first parameter that carries a control character, if any."""
    if CONTROL_CHARACTERS.search(request.path):
        return "path"
    sources: list[Iterable[tuple[str, list[str]]]] = [request.GET.lists()]
    # Form bodies of pages only: the API reads JSON only (and checks it field by field), and
    # reading a form body here is no more work than the page's CSRF check does anyway.
    if (
        not is_api_request(request)
        and request.method == "POST"
        and request.content_type
        in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
    ):
        sources.append(request.POST.lists())
    for source in sources:
        for name, values in source:
            if CONTROL_CHARACTERS.search(name):
                return _printable(name)
            if any(CONTROL_CHARACTERS_IN_TEXT.search(value) for value in values):
                return name
    for key, value in request.META.items():
        if (
            key.startswith("HTTP_")
            and isinstance(value, str)
            and CONTROL_CHARACTERS_IN_HEADER.search(value)
        ):
            return key[5:].replace("_", "-").title()
    return None


def _printable(name: str) -> str:
    return CONTROL_CHARACTERS.sub("?", name)


class InputGuardMiddleware:
    """A 400 naming the parameter (JSON under /api/, a translated page elsewhere)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = first_bad_parameter(request)
        if name is None:
            return self.get_response(request)
        if is_api_request(request):
            return json_error(
                400,
                "control_characters",
                control_characters_message(name),
                name,
            )
        message = _("“%(name)s” contains a control character (such as NUL) that is not allowed.")
        return render(
            request,
            "core/bad_input.html",
            {"parameter": name, "message": message % {"name": name}},
            status=400,
        )
