from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "agentmatch.referrals"
    label = "referrals"
