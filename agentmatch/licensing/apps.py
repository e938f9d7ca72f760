from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "agentmatch.licensing"
    label = "licensing"
