from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "agentmatch.imports"
    label = "imports"
