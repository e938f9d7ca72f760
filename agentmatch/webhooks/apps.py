from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "agentmatch.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from django.core import checks

        from agentmatch.core.jobs import SWEEP, register
        from agentmatch.webhooks.checks import check_webhook_settings
        from agentmatch.webhooks.jobs import deliver_webhook_job, fan_out_job, tidy_job

        checks.register(check_webhook_settings, checks.Tags.security, deploy=True)
        # After the routing jobs of a turn, so the events they wrote go out in that turn.
        # A partner's server is told within a second or two, not in every worker turn.
        register("fan out webhook events", fan_out_job, order=80, rest=1.0)
        # The partners' servers answer when they do: not on the offer clock's time.
        register("deliver webhooks", deliver_webhook_job, order=85, rest=1.0, lane="webhooks")
        register("tidy webhook deliveries", tidy_job, kind=SWEEP)
