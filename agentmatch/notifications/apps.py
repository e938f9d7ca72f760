from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "agentmatch.notifications"
    label = "notifications"

    def ready(self) -> None:
        from agentmatch.core.jobs import register
        from agentmatch.notifications.jobs import deliver_message_job

        # In a lane of its own: a batch waits on the providers (core/jobs.py).
        register("deliver messages", deliver_message_job, order=90, lane="messages")
