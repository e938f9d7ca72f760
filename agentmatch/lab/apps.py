from django.apps import AppConfig


class LabConfig(AppConfig):
    name = "agentmatch.lab"
    label = "lab"
    verbose_name = "Routing lab"
