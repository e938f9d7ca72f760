"""Secrets and consumer phone numbers never reach a log line.

`redact(text)` masks phone numbers (E.164 and US formats: "+1 ***-***-0199", the last four
digits stay so support can still tell two numbers apart) and cuts the secret parts of
links (/status/<id>/<token>/, /n/o/<token>/, /accounts/reset|register/<token>/), of query
strings and forms (`token=`, `key=`, `password=`), of headers and JSON fields
(Authorization, X-Status-Token, X-Partner-Key, Cookie, "status_token") and bearer tokens.

Email addresses keep their first character and their domain ("l***@example.com"): they
belong to agents, not consumers, but they identify people, and the domain is what a
delivery problem is about.

`RedactSecrets` is the filter on the root handler (settings.LOGGING); gunicorn's access
and error logs go through it too (agentmatch/core/access_log.py). It rewrites the record
itself, so every handler after it sees the redacted text.
"""

import logging
import re
import time

REDACTED = "[redacted]"

# Path segments that are secrets; the fixed words next to them ("live", "cancel", "done",
# "fresh-link", "sms") are routes, not secrets, and stay readable.
_SEGMENT_END = r"[^/\s?#\"'&<>]+"
_LINK_SECRETS = [
    re.compile(r"(/status/" + _SEGMENT_END + r"/)(?!live/|cancel/)" + _SEGMENT_END),
    re.compile(r"(/n/(?!sms/)[\w-]+/)" + _SEGMENT_END),
    re.compile(r"(/accounts/(?:reset|register)/)(?!done/|fresh-link/)" + _SEGMENT_END),
]
# Names whose values are secrets wherever they appear: token, status_token, X-Status-Token,
# key, X-Partner-Key, Idempotency-Key, password, secret, signature, Authorization, Cookie.
_NAME = (
    r"(?:[\w-]*token|[\w-]*key|[\w-]*secret|[\w-]*password|passwd|signature|sig"
    r"|(?:proxy-|http_)?authorization|(?:set-|http_)?cookie)"
)
_FIELD_SECRETS = [
    # JSON and Python reprs: "status_token": "abc", 'HTTP_AUTHORIZATION': 'Bearer abc'
    re.compile(r"(?i)(\b" + _NAME + r"[\"']?\s*:\s*)([\"'])(?:\\.|(?!\2).)*\2"),
    # Query strings and forms: ?token=abc&x=1
    re.compile(r"(?i)(\b" + _NAME + r"=)()[^&\s\"'#,;<>]+"),
    # Header lines: "Authorization: Bearer abc" (to the end of the line)
    re.compile(r"(?i)(\b" + _NAME + r"\s*:[ \t]*)()(?![\"'\s])[^\r\n]+"),
    # A bearer or basic credential anywhere else.
    re.compile(r"(?i)(\bBearer\s+)()[\w.~+/=-]{8,}"),
    re.compile(r"(?i)(\bBasic\s+)()[A-Za-z0-9+/]{16,}={0,2}"),
]
# Phone numbers: E.164 (+16085550199, +44 20 7946 0958) and US national formats
# ((608) 555-0199, 608-555-0199, 608.555.0199, 1-608-555-0199, 6085550199). US area codes
# and exchanges start with 2-9, so NPNs with leading zeros and Unix times are left alone.
_PHONE = re.compile(
    r"(?<![\w+*])(?:"
    r"\+\d(?:[ .()-]{0,2}\d){7,14}"
    r"|(?:1[ .-]?)?(?:\([2-9]\d{2}\)|[2-9]\d{2})[ .-]?[2-9]\d{2}[ .-]?\d{4}"
    r")(?![\w])"
)
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")


def mask_phone(phone: str) -> str:
    """ "+16085550199" -> "+1 ***-***-0199"; other countries keep their code's first digit."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "***"
    if len(digits) == 10 or (len(digits) == 11 and digits[0] == "1"):
        return f"+1 ***-***-{digits[-4:]}"
    return f"+{digits[0]}** ***-{digits[-4:]}"


def cut_secrets(text: str, mask: str = REDACTED) -> str:
    """`text` with the secret parts of links, fields and headers replaced by `mask`."""
    for pattern in _LINK_SECRETS:
        text = pattern.sub(lambda m: m.group(1) + mask, text)
    for pattern in _FIELD_SECRETS:
        text = pattern.sub(lambda m: m.group(1) + m.group(2) + mask + m.group(2), text)
    return text


def redact(text: str) -> str:
    """`text` with secrets cut and phones and emails masked (idempotent)."""
    text = cut_secrets(text)
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


class RedactSecrets(logging.Filter):
    """Rewrites each record's message (and traceback) with `redact`; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # wrong arguments: the handler would print them raw
            message = f"{record.msg} (arguments withheld: they do not fit the message)"
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()


class UTCFormatter(logging.Formatter):
    """Log times in UTC with the offset written out (2026-11-30T18:16:27.123Z), whatever
    the machine's time zone, so lines from several machines sort and correlate."""

    converter = staticmethod(time.gmtime)  # type: ignore[assignment]
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"
