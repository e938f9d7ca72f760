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

LOG_FORMAT picks the formatter: `plain` (one readable line, for `make run`) or `json`
(`JSONFormatter`: one JSON object per line, for a log pipeline in production). Either way
the record was redacted before it is formatted. A request's id (core/request_id.py) is
kept in a context variable while the request runs, so every line logged for it carries it.
"""

import json
import logging
import re
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REDACTED = "[redacted]"

# Path segments that are secrets; the fixed words next to them ("live", "cancel", "done",
# "fresh-link", "sms") are routes, not secrets, and stay readable.
_SEGMENT_END = r"[^/\s?#\"'&<>]+"
# Each pattern beside a word that all its matches contain: the regular expressions cost
# hundreds of microseconds on a message's body, and most texts hold none of the words.
_LINK_SECRETS = [
    ("/status/", re.compile(r"(/status/" + _SEGMENT_END + r"/)(?!live/|cancel/)" + _SEGMENT_END)),
    ("/n/", re.compile(r"(/n/(?!sms/)[\w-]+/)" + _SEGMENT_END)),
    (
        "/accounts/",
        re.compile(r"(/accounts/(?:reset|register)/)(?!done/|fresh-link/)" + _SEGMENT_END),
    ),
]
# Names whose values are secrets wherever they appear: token, status_token, X-Status-Token,
# key, X-Partner-Key, Idempotency-Key, password, secret, signature, Authorization, Cookie.
_NAME = (
    r"(?:[\w-]*token|[\w-]*key|[\w-]*secret|[\w-]*password|passwd|signature|sig"
    r"|(?:proxy-|http_)?authorization|(?:set-|http_)?cookie)"
)
# Every match of _NAME holds one of these (compared case-folded: see _folded).
_NAME_WORDS = ("token", "key", "secret", "passw", "sig", "authorization", "cookie")
_FIELD_SECRETS = [
    # JSON and Python reprs: "status_token": "abc", 'HTTP_AUTHORIZATION': 'Bearer abc'
    (_NAME_WORDS, re.compile(r"(?i)(\b" + _NAME + r"[\"']?\s*:\s*)([\"'])(?:\\.|(?!\2).)*\2")),
    # Query strings and forms: ?token=abc&x=1
    (_NAME_WORDS, re.compile(r"(?i)(\b" + _NAME + r"=)()[^&\s\"'#,;<>]+")),
    # Header lines: "Authorization: Bearer abc" (to the end of the line)
    (_NAME_WORDS, re.compile(r"(?i)(\b" + _NAME + r"\s*:[ \t]*)()(?![\"'\s])[^\r\n]+")),
    # A bearer or basic credential anywhere else.
    (("bearer",), re.compile(r"(?i)(\bBearer\s+)()[\w.~+/=-]{8,}")),
    (("basic",), re.compile(r"(?i)(\bBasic\s+)()[A-Za-z0-9+/]{16,}={0,2}")),
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


# The id of the request being served on this thread (or task); "" outside a request.
current_request_id: ContextVar[str] = ContextVar("request_id", default="")
# Where core/request_id.py keeps it in the WSGI environ (request.META is that dict): for
# lines logged after the middleware has returned (Django's "Not Found" warnings, which
# carry the request, and gunicorn's access line).
REQUEST_ID_ENVIRON_KEY = "agentmatch.request_id"
# Names whose values are secrets, as a whole (dictionary keys: headers, JSON, form fields).
_SECRET_NAME = re.compile(r"(?i)" + _NAME)


def is_secret_name(name: str) -> bool:
    """Whether a field, header or parameter called `name` holds a secret ("X-Status-Token")."""
    return bool(_SECRET_NAME.fullmatch(name.strip()))


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
    for needle, pattern in _LINK_SECRETS:
        if needle in text:
            text = pattern.sub(lambda m: m.group(1) + mask, text)
    folded = _folded(text)
    for words, pattern in _FIELD_SECRETS:
        if any(word in folded for word in words):
            text, cuts = pattern.subn(lambda m: m.group(1) + m.group(2) + mask + m.group(2), text)
            if cuts:
                folded = _folded(text)
    return text


# `(?i)` compares one character at a time; str.casefold agrees with it on every character
# that matches a letter of the words above, except the Turkish dotted and dotless i, which
# the regular expressions take for "i" (core/tests/test_log_redaction.py checks every
# code point).
_TURKISH_I = str.maketrans({"\u0130": "i", "\u0131": "i"})


def _folded(text: str) -> str:
    return text.translate(_TURKISH_I).casefold()


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


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and request_id (the
    request being served, or the one an access log line is about), exception and stack
    when there are any, and `http` (method, path, status, duration) on access log lines.

    The message is already redacted by `RedactSecrets` (the handler's filter runs before
    its formatter); json.dumps escapes newlines, so a message cannot forge a second line.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id.get()
        meta = getattr(getattr(record, "request", None), "META", None)  # django.request's
        if not request_id and isinstance(meta, dict):
            request_id = str(meta.get(REQUEST_ID_ENVIRON_KEY, ""))
        if request_id:
            entry["request_id"] = request_id
        http = getattr(record, "http", None)
        if isinstance(http, dict):
            entry["http"] = http
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)
