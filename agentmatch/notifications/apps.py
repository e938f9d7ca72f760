from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "agentmatch.notifications"
    label = "notifications"

    def ready(self) -> None:
        from agentmatch.core.jobs import register
        from agentmatch.notifications.jobs import deliver_message_job

        # Last, so the messages the other jobs of a turn enqueue go out in that turn.
        register("deliver messages", deliver_message_job, order=90)
