from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "agentmatch.core"

    def ready(self) -> None:
        from agentmatch.core.checks import (
            check_delivery_settings,
            check_observability_settings,
            check_secret_key,
        )

        checks.register(check_secret_key, checks.Tags.security)
        checks.register(check_delivery_settings, checks.Tags.security, deploy=True)
        checks.register(check_observability_settings, checks.Tags.security, deploy=True)
