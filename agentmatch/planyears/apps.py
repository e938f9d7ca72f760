from django.apps import AppConfig


class PlanYearsConfig(AppConfig):
    name = "agentmatch.planyears"
    label = "planyears"
