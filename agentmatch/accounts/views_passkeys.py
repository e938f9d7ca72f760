"""JSON endpoints for passkeys.js: register, log in, delete. CSRF applies as everywhere."""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agentmatch.accounts import actions
from agentmatch.accounts.passkeys import PasskeyError

_STATUS = {"not_found": 404, "duplicate": 409}
View = Callable[..., HttpResponse]


def _error(exc: PasskeyError) -> JsonResponse:
    return JsonResponse(
        {"error": exc.code, "message": exc.message}, status=_STATUS.get(exc.code, 400)
    )


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise PasskeyError("bad_json", _("The request body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise PasskeyError("bad_json", _("The request body must be a JSON object."))
    return data


def _json_login_required(view: View) -> View:
    # fetch() follows a login redirect silently; a 401 with a message is something JS can show.
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse(
                {"error": "login_required", "message": _("Log in first.")}, status=401
            )
        return view(request, *args, **kwargs)

    return wrapper


# Each begin answers {"ceremony": handle, "publicKey": options}; the finish sends the handle
# back with the browser's answer. The session holds no part of a ceremony (see passkeys.py).


@require_POST
@_json_login_required
def register_begin(request: HttpRequest) -> HttpResponse:
    ceremony = actions.begin_adding_passkey(
        user=request.user,  # type: ignore[arg-type]
        now=timezone.now(),
    )
    return JsonResponse(ceremony.as_json())


@require_POST
@_json_login_required
def register_finish(request: HttpRequest) -> HttpResponse:
    try:
        data = _body(request)
        name = data.get("name")
        passkey = actions.add_passkey(
            user=request.user,  # type: ignore[arg-type]
            ceremony=data.get("ceremony"),
            credential_json=data.get("credential"),
            name=name if isinstance(name, str) else "",
            now=timezone.now(),
        )
    except PasskeyError as exc:
        return _error(exc)
    messages.success(request, _("Your passkey “%s” was added.") % passkey.name)
    return JsonResponse({"id": passkey.pk, "name": passkey.name}, status=201)


@require_POST
def login_begin(request: HttpRequest) -> HttpResponse:
    try:
        username = _body(request).get("username")
        ceremony = actions.begin_passkey_login(
            username=username if isinstance(username, str) else "", now=timezone.now()
        )
    except PasskeyError as exc:
        return _error(exc)
    return JsonResponse(ceremony.as_json())


@require_POST
def login_finish(request: HttpRequest) -> HttpResponse:
    try:
        data = _body(request)
        user = actions.log_in_with_passkey(
            ceremony=data.get("ceremony"),
            credential_json=data.get("credential"),
            now=timezone.now(),
        )
    except PasskeyError as exc:
        return _error(exc)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return JsonResponse({"redirect": _next_url(request, data.get("next"))})


def _next_url(request: HttpRequest, wanted: Any) -> str:
    if isinstance(wanted, str) and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_POST
@_json_login_required
def delete(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """From the profile page's form (redirect back) or from JS asking for JSON."""
    try:
        actions.remove_passkey(
            user=request.user,  # type: ignore[arg-type]
            passkey_id=passkey_id,
            now=timezone.now(),
        )
    except PasskeyError as exc:
        if "application/json" in request.headers.get("Accept", ""):
            return _error(exc)
        raise Http404(exc.message) from exc
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"deleted": passkey_id})
    messages.success(request, _("The passkey was deleted."))
    return redirect("accounts:profile")
