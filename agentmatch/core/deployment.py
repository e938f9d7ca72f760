"""Deployment settings read from the environment: the secret key and the TLS proxy.

Pure functions without Django, so settings.py can use them before Django is set up and
the system check (`core/checks.py`) can judge the result with the same rules.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

# Public (it is in the source): accepted only with DEBUG on, or in tests, never to serve.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
# Django's own bar is 50 characters and 5 different ones; a generated key (token_urlsafe,
# token_hex, get_random_secret_key) has 16 or more, so 10 refuses only made-up keys.
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 10
SECRET_KEY_HINT = (
    "Set SECRET_KEY to a long random value, e.g. "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))' "
    "(on your own machine, `agentmatch make-secret-key` stores one in data/secret_key)."
)


def read_secret_key(path: Path) -> str:
    """The key stored in `path` (see `agentmatch make_secret_key`), or "" if there is none."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""


def write_secret_key(path: Path) -> bool:
    """Stores a fresh random key in `path`, readable by its owner only, unless one is there.

    Returns whether it wrote one. O_EXCL: two `make run` at once cannot both write.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_urlsafe(MIN_SECRET_KEY_LENGTH) + "\n")
    return True


def secret_key_problem(key: str) -> str | None:
    """Why `key` must not sign anything in production, in words; None if it is fine."""
    if not key or key == DEVELOPMENT_SECRET_KEY:
        return "is not set (the development default, which is public, is in use)"
    if key.startswith("django-insecure"):
        return "is Django's generated development key"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is {len(key)} characters long; it needs at least {MIN_SECRET_KEY_LENGTH}"
    if len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS:
        return (
            f"has only {len(set(key))} different characters; "
            f"it needs at least {MIN_SECRET_KEY_UNIQUE_CHARACTERS}"
        )
    return None


def origin_of(url: str) -> str:
    """`https://help.example.gov/path` -> `https://help.example.gov` (scheme, host, port)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https" -> Django's SECURE_PROXY_SSL_HEADER.

    A header name as sent ("X-Forwarded-Proto=https") is accepted too; "" means none.
    """
    if not value.strip():
        return None
    name, sep, expected = value.partition("=")
    name, expected = name.strip(), expected.strip()
    if not (sep and name and expected):
        # Ignoring it would leave every request "insecure" behind the proxy: say so now.
        raise ValueError(f"PROXY_SSL_HEADER={value!r}: expected HTTP_X_FORWARDED_PROTO=https")
    meta = name.upper().replace("-", "_")
    return (meta if meta.startswith("HTTP_") else f"HTTP_{meta}", expected)


LOG_FORMATS = ("plain", "json")


def log_format(value: str) -> str:
    """LOG_FORMAT: "plain" or "json" (any case); anything else stops the start, named."""
    chosen = value.strip().lower() or "plain"
    if chosen not in LOG_FORMATS:
        # A typo would otherwise fail inside logging's set-up with a vaguer message.
        raise ValueError(f"LOG_FORMAT={value!r}: expected one of {', '.join(LOG_FORMATS)}")
    return chosen
