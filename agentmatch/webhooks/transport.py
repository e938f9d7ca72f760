"""One POST of a webhook: to the checked address, short timeouts, no redirect followed,
at most a few hundred bytes of the answer read (and kept only redacted)."""

import http.client
import re
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings

from agentmatch.core.logging import redact
from agentmatch.webhooks.addresses import AddressRefused, check_url, resolve

EXCERPT = 200
USER_AGENT = "AgentMatch-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str


class SendFailed(Exception):
    """No answer (connection, timeout, TLS) or a refused address; `permanent`: retrying
    cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def excerpt_of(raw: bytes) -> str:
    text = raw[: EXCERPT * 2].decode("utf-8", "replace")
    return redact(re.sub(r"\s+", " ", text)).strip()[:EXCERPT]


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    try:
        parts = check_url(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(parts.hostname or "", port)
    except AddressRefused as exc:
        raise SendFailed(exc.message, permanent=True) from None
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname or "", port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", port, timeout=timeout)

    # Connect to the address that was checked; TLS still verifies the name (SNI).
    def pinned(_where: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        return socket.create_connection((address, port), timeout)

    connection._create_connection = pinned  # type: ignore[attr-defined]
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        response = connection.getresponse()
        return Answer(response.status, excerpt_of(response.read(EXCERPT * 2)))
    except (OSError, http.client.HTTPException) as exc:
        # The exception's text names the host at most, never the body or the signature.
        raise SendFailed(redact(f"{type(exc).__name__}: {exc}")[:300]) from None
    finally:
        connection.close()
