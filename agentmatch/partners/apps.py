from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "agentmatch.partners"
    label = "partners"
