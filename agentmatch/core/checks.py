"""System checks that keep an unsafe configuration from serving anyone.

Registered under the "security" tag (not deploy-only), so they run on `check`,
`check --deploy`, `runserver`, every command that runs the checks (`run`, `worker`,
`migrate`) and, through `refuse_unsafe_settings`, when the WSGI application loads.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
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


def check_delivery_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` only: settings a real deployment must change, or consumers and
    agents are never told anything (the development backends only print)."""
    warnings: list[CheckMessage] = []
    if settings.SMS_BACKEND in ("console", "file"):
        warnings.append(
            Warning(
                f"SMS_BACKEND is '{settings.SMS_BACKEND}': texts are only written to the "
                "log or a file, never sent.",
                hint="Set SMS_BACKEND=twilio with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER.",
                id="agentmatch.W001",
            )
        )
    backend = str(settings.MAILERS["default"]["BACKEND"])
    if not backend.endswith("smtp.EmailBackend"):
        warnings.append(
            Warning(
                f"EMAIL_BACKEND is {backend}: emails (invitations, resets, offers) are not sent.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the "
                "EMAIL_HOST settings.",
                id="agentmatch.W002",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        warnings.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL}: the links in texts and emails (status "
                "links, one-tap answers, password resets) would travel without TLS.",
                hint="Set SITE_URL to the public https:// address.",
                id="agentmatch.W003",
            )
        )
    if not (settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY):
        warnings.append(
            Warning(
                "VAPID keys are not set: agents cannot turn on app notifications.",
                hint="`agentmatch vapid_keys` prints a pair to set as VAPID_PUBLIC_KEY and "
                "VAPID_PRIVATE_KEY.",
                id="agentmatch.W004",
            )
        )
    return warnings


# A token shorter than this could be guessed by trying (it guards no person's data, but
# the metrics describe the service's traffic).
MIN_METRICS_TOKEN_LENGTH = 32


def check_observability_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` only: /metrics must not be readable by the public."""
    token = settings.METRICS_TOKEN
    if not token:
        return [
            Warning(
                "METRICS_TOKEN is not set: /metrics answers any request made directly from "
                "this machine (a loopback address, no X-Forwarded-For/Forwarded/X-Real-IP); "
                "a reverse proxy on the same machine that adds none of them would make it "
                "public, and Prometheus elsewhere cannot scrape it.",
                hint="Set METRICS_TOKEN to a long random value (e.g. python -c 'import "
                "secrets; print(secrets.token_urlsafe(32))') and give Prometheus the same "
                "as its bearer token (docs/observability.md).",
                id="agentmatch.W005",
            )
        ]
    if len(token) < MIN_METRICS_TOKEN_LENGTH:
        return [
            Warning(
                f"METRICS_TOKEN is {len(token)} characters long: it could be guessed.",
                hint=f"Use at least {MIN_METRICS_TOKEN_LENGTH} random characters.",
                id="agentmatch.W006",
            )
        ]
    return []


def check_static_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Pages name their stylesheets and scripts by the hashed names `collectstatic` records
    in its manifest (core/static_files.py): without it every page is an error."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []
    if staticfiles_storage.manifest_storage.exists(staticfiles_storage.manifest_name):
        return []
    return [
        Warning(
            f"No collected static files in STATIC_ROOT ({settings.STATIC_ROOT}): every page "
            "will fail.",
            hint="Run `agentmatch collectstatic --no-input` (after `make assets`), then start.",
            id="agentmatch.W007",
        )
    ]
