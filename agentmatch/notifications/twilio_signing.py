"""Twilio's request signature, for every webhook Twilio posts to us (text replies, delivery
status callbacks).

Twilio signs each webhook request: base64(HMAC-SHA1(auth token, URL + every POST
parameter sorted by name, each as name followed by value)). Behind a proxy the host and
scheme we see differ from the URL Twilio used, so each door checks against its public URL
from settings, never the one the request claims.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest


def twilio_signature(*, url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio computes for a form POST to `url` with `params`."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_is_valid(*, url: str, params: Iterable[tuple[str, str]], given: str) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token or not given:
        # Without a token nothing can be verified: refuse rather than trust anyone.
        return False
    expected = twilio_signature(url=url, params=params, auth_token=token)
    return hmac.compare_digest(expected.encode(), given.encode())


def request_is_signed(request: HttpRequest, *, url: str) -> bool:
    """Whether a form POST carries Twilio's valid signature for the public `url`."""
    params = [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    given = request.headers.get("X-Twilio-Signature", "")
    return signature_is_valid(url=url, params=params, given=given)


def inbound_webhook_url(path: str) -> str:
    """The public URL Twilio posts incoming texts to (TWILIO_WEBHOOK_URL, or SITE_URL + path)."""
    return settings.TWILIO_WEBHOOK_URL or f"{settings.SITE_URL}{path}"


def status_callback_url() -> str:
    """The StatusCallback URL we give Twilio with each text: what it signs its reports with."""
    return str(settings.TWILIO_STATUS_CALLBACK_URL)
