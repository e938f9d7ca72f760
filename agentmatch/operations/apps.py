from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "agentmatch.operations"
    label = "operations"
