from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "agentmatch.api"
    label = "api"
