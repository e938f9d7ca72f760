"""Secrets leave the outbox once a message is done with.

Messages carry links with secrets in them (a consumer's status token, an invitation or
password-reset link, a signed one-tap offer link). The tables that issue those secrets
keep only hashes; the outbox must not keep the raw values either once the message has
been sent, has failed for good, or was suppressed.
"""

import json
import re
from typing import Any

_SECRETS = [
    re.compile(r"(token=)[^&\s\"']+"),
    re.compile(r"(/accounts/(?:register|reset)/)[^/\s\"']+"),
    re.compile(r"(/n/o/)[^/\s\"']+"),
    # The consumer's status link: /status/<reference>/<token>/
    re.compile(r"(/status/[^/\s\"']+/)[^/\s\"']+"),
]
MASK = "[removed]"


def redact(text: str) -> str:
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def redacted_fields(*, subject: str, body: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": redact(subject),
        "body": redact(body),
        "payload": json.loads(redact(json.dumps(payload))) if payload else payload,
    }
