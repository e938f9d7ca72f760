from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "agentmatch.accounts"
    label = "accounts"
