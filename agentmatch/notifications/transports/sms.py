"""Text messages: Twilio's REST API (Messages resource), or console/file for development."""

import json
import logging
from pathlib import Path
from typing import Any
from uuid import uuid4

import requests
from django.conf import settings

from agentmatch.core.logging import mask_phone, redact
from agentmatch.notifications.models import Message
from agentmatch.notifications.transports import Transport, TransportError
from agentmatch.notifications.transports.http_sessions import ThreadSessions
from agentmatch.notifications.twilio_signing import status_callback_url

log = logging.getLogger("agentmatch.notifications.sms")

# Twilio error codes after which the same text to the same number can never succeed.
# https://www.twilio.com/docs/api/errors
PERMANENT_TWILIO_CODES = {
    21211,  # invalid 'To' number
    21214,  # 'To' number cannot be reached
    21408,  # region not enabled
    21610,  # recipient replied STOP (unsubscribed)
    21612,  # cannot route to this number
    21614,  # 'To' is not a mobile number
    30003,  # unreachable handset
    30004,  # message blocked
    30005,  # unknown destination
    30006,  # landline or unreachable carrier
}


# The development backends show what a text says, not whom it reaches nor the secrets in
# its links: a careless deployment that keeps them must not log consumers' phones and live
# status or one-tap links.


class ConsoleSms(Transport):
    def send(self, message: Message) -> str:
        log.info("SMS to %s: %s", mask_phone(message.to), redact(message.body))
        return f"console-{uuid4().hex}"


class FileSms(Transport):
    """Appends one JSON line per text to SMS_FILE_PATH (development and demos), redacted."""

    def send(self, message: Message) -> str:
        provider_id = f"file-{uuid4().hex}"
        line = json.dumps(
            {"id": provider_id, "to": mask_phone(message.to), "body": redact(message.body)}
        )
        try:
            with Path(settings.SMS_FILE_PATH).open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError as exc:
            raise TransportError(f"cannot write {settings.SMS_FILE_PATH}: {exc}") from exc
        return provider_id


class TwilioSms(Transport):
    """POST {TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json; 201 → the SM sid.

    StatusCallback asks Twilio to report the text's delivery (delivery_reports.py), which
    finds the message by the sid returned here. A batch's texts go over one kept-alive
    connection per sending thread (http_sessions.py).
    """

    def __init__(self) -> None:
        self.sessions = ThreadSessions()

    def close(self) -> None:
        self.sessions.close()

    def send(self, message: Message) -> str:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        if not (sid and token and settings.TWILIO_FROM_NUMBER):
            # An operator can fix the configuration; keep the message until then.
            raise TransportError("TWILIO_ACCOUNT_SID/AUTH_TOKEN/FROM_NUMBER not set")
        url = f"{settings.TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json"
        form = {"To": message.to, "From": settings.TWILIO_FROM_NUMBER, "Body": message.body}
        callback = status_callback_url()
        if callback:  # set empty: no delivery reports asked for
            form["StatusCallback"] = callback
        try:
            response = self.sessions.session().post(
                url,
                data=form,
                auth=(sid, token),
                headers={"Accept": "application/json"},
                timeout=settings.NOTIFY_HTTP_TIMEOUT_SECONDS,
            )
            status, raw = response.status_code, response.content
        except requests.RequestException as exc:
            raise TransportError(f"Twilio unreachable: {exc!r}") from exc
        body = _json(raw)
        if status in (200, 201) and body.get("sid"):
            return str(body["sid"])
        code = body.get("code")
        detail = f"Twilio {status}: {code or ''} {body.get('message') or raw[:200]!r}".strip()
        if status == 429 or status >= 500 or status in (401, 403):
            # Busy, down, or our credentials: retrying later can work.
            raise TransportError(detail)
        permanent = code in PERMANENT_TWILIO_CODES or 400 <= status < 500
        raise TransportError(
            detail, permanent=permanent, code=code if isinstance(code, int) else None
        )


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def sms_transport() -> Transport:
    backends: dict[str, type[Transport]] = {
        "console": ConsoleSms,
        "file": FileSms,
        "twilio": TwilioSms,
    }
    backend = backends.get(settings.SMS_BACKEND)
    if backend is None:
        raise TransportError(f"unknown SMS_BACKEND {settings.SMS_BACKEND!r}")
    return backend()
