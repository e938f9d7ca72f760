"""Secrets leave the outbox once a message is done with.

Messages carry links with secrets in them (a consumer's status token, an invitation or
password-reset link, a signed one-tap offer link). The tables that issue those secrets
keep only hashes; the outbox must not keep the raw values either once the message has
been sent, has failed for good, or was suppressed.
"""

import json
from typing import Any

from agentmatch.core.logging import cut_secrets, mask_phone

MASK = "[removed]"


def redact(text: str) -> str:
    # The same secrets the logs never show (core.logging), cut from the stored message.
    return cut_secrets(text, MASK)


def redacted_fields(*, subject: str, body: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": redact(subject),
        "body": redact(body),
        "payload": json.loads(redact(json.dumps(payload))) if payload else payload,
    }


def masked_recipient(channel: str, to: str) -> str:
    """Who a message is for, as support pages show it: "+1 ***-***-0199", "l***@example.com",
    never the whole number or address (a consumer's, often); a push subscription's id."""
    if not to:
        return ""
    if channel == "sms":
        return mask_phone(to)
    if channel == "email":
        local, _at, domain = to.rpartition("@")
        return f"{local[:1]}***@{domain}" if local else "***"
    return to  # a PushSubscription id: names no one
