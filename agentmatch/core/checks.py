"""System checks that keep an unsafe configuration from serving anyone.

Registered under the "security" tag (not deploy-only), so they run on `check`,
`check --deploy`, `runserver`, every command that runs the checks (`run`, `worker`,
`migrate`) and, through `refuse_unsafe_settings`, when the WSGI application loads.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured

from agentmatch.core.deployment import (
    DEVELOPMENT_SECRET_KEY,
    SECRET_KEY_HINT,
    secret_key_problem,
)


def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With the development key anyone can sign one-tap links and sessions: a forged
    accept link shows another agent's consumer. Only DEBUG (a developer's machine) may."""
    if settings.DEBUG:
        return []
    errors: list[CheckMessage] = []
    problem = secret_key_problem(settings.SECRET_KEY)
    if problem:
        errors.append(
            Error(
                f"SECRET_KEY {problem}, and DEBUG is off.",
                hint=SECRET_KEY_HINT,
                id="agentmatch.E001",
            )
        )
    if DEVELOPMENT_SECRET_KEY in settings.SECRET_KEY_FALLBACKS:
        errors.append(
            Error(
                "SECRET_KEY_FALLBACKS holds the public development key, and DEBUG is off.",
                hint="Remove it from SECRET_KEY_FALLBACKS.",
                id="agentmatch.E002",
            )
        )
    return errors


def refuse_unsafe_settings() -> None:
    """Raises ImproperlyConfigured if a check above fails (a server started without
    `agentmatch run`, e.g. gunicorn directly, must refuse too)."""
    errors = check_secret_key()
    if errors:
        raise ImproperlyConfigured(
            "\n".join(f"{e.msg} {e.hint}" if e.hint else str(e.msg) for e in errors)
        )
