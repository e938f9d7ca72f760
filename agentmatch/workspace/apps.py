from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "agentmatch.workspace"

    def ready(self) -> None:
        from agentmatch.core.jobs import register
        from agentmatch.workspace.jobs import contact_reminder_job

        # A reminder falls due an hour after an acceptance: ten seconds late is on time.
        register("contact reminders", contact_reminder_job, order=50, rest=10.0)
