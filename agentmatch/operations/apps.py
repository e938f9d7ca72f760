from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "agentmatch.operations"
    label = "operations"

    def ready(self) -> None:
        from agentmatch.core.jobs import SWEEP, register
        from agentmatch.operations.dashboard_rollup import dashboard_rollup_job

        # Sums each finished day for the dashboard (see dashboard_rollup.py).
        register("dashboard roll-up", dashboard_rollup_job, kind=SWEEP)
