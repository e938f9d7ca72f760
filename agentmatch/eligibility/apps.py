from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "agentmatch.eligibility"
    label = "eligibility"
