from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "agentmatch.core"
