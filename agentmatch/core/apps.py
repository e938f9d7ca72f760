from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "agentmatch.core"

    def ready(self) -> None:
        from agentmatch.core.checks import (
            check_delivery_settings,
            check_observability_settings,
            check_secret_key,
            check_static_files,
        )

        checks.register(check_secret_key, checks.Tags.security)
        checks.register(check_delivery_settings, checks.Tags.security, deploy=True)
        checks.register(check_observability_settings, checks.Tags.security, deploy=True)
        # Untagged: `collectstatic` runs only staticfiles-tagged checks, so it never warns
        # about the very files it is about to write.
        checks.register(check_static_files)

        from django.db.backends.signals import connection_created

        from agentmatch.core.text_search import register_sqlite_unaccent

        connection_created.connect(register_sqlite_unaccent, dispatch_uid="sqlite_unaccent")
