"""`check --deploy`: webhooks must not reach this machine's own services in production."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def check_webhook_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.WEBHOOKS_ALLOW_LOOPBACK and not settings.DEBUG:
        return [
            Warning(
                "WEBHOOKS_ALLOW_LOOPBACK is on: an administrator can point a webhook at "
                "this machine's own services over plain http.",
                hint="Turn it off in production (it is for development and tests).",
                id="agentmatch.W008",
            )
        ]
    return []
