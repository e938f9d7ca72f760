"""Login lockout (django-axes, configured in settings' Accounts section).

Two limits, both fed with the client address the rate limits use (TRUSTED_PROXY_HOPS):
- a username tried from one address is locked after AXES_FAILURE_LIMIT wrong passwords,
  so wrong guesses from elsewhere never lock the real person out;
- an address is locked for every username after LOGIN_FAILURES_PER_ADDRESS wrong passwords
  in LOGIN_ADDRESS_WINDOW_SECONDS, so spraying many usernames from one place stops too.

The lockout answer is the project's JSON error under /api/ and the lockout page elsewhere,
both with Retry-After.
"""

import ipaddress
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from agentmatch.core.clients import client_address
from agentmatch.core.json_errors import is_api_request, json_error

LOCKED_OUT_CODE = "locked_out"


def address_key(address: str) -> str | None:
    """The address to count, as an IP address axes can store; an IPv6 client owns a /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the app's client address (a bad X-Forwarded-For entry falls
    back to the TCP peer, never to a string the database would refuse)."""
    return address_key(client_address(request)) or address_key(
        str(request.META.get("REMOTE_ADDR", ""))
    )


def _address_of(request: HttpRequest) -> str | None:
    return getattr(request, "axes_ip_address", None) or client_ip(request)


def address_failures(request: HttpRequest) -> int:
    """Wrong passwords from this client address in the current window, whatever the username."""
    address = _address_of(request)
    if address is None:
        return 0
    since = timezone.now() - timedelta(seconds=settings.LOGIN_ADDRESS_WINDOW_SECONDS)
    return AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()


def address_locked(request: HttpRequest) -> bool:
    return address_failures(request) >= settings.LOGIN_FAILURES_PER_ADDRESS


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-address limit."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        already = request is None or getattr(request, "axes_locked_out", False)
        if not already and address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def retry_after_seconds(request: HttpRequest) -> int:
    """How long to wait: the per-address window if the address is locked, else the cool-off."""
    if address_locked(request):
        return settings.LOGIN_ADDRESS_WINDOW_SECONDS
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def locked_out_message() -> str:
    return _("Too many failed attempts: logging in is locked for a while. Try again later.")


def locked_out_json(*, retry_after: int) -> JsonResponse:
    response = json_error(429, LOCKED_OUT_CODE, locked_out_message())
    response["Retry-After"] = str(retry_after)
    return response


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a locked-out login attempt gets back."""
    retry_after = retry_after_seconds(request)
    if is_api_request(request):
        return locked_out_json(retry_after=retry_after)
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
    response["Retry-After"] = str(retry_after)
    return response
