from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "agentmatch.workspace"

    def ready(self) -> None:
        from agentmatch.core.jobs import register
        from agentmatch.workspace.jobs import contact_reminder_job

        register("contact reminders", contact_reminder_job, order=50)
