from django.apps import AppConfig
from django.core import checks


class RetentionConfig(AppConfig):
    name = "agentmatch.retention"
    label = "retention"

    def ready(self) -> None:
        from agentmatch.retention.checks import check_retention_days
        from agentmatch.retention.jobs import register_jobs

        checks.register(check_retention_days)
        register_jobs()
