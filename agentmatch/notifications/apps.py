from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "agentmatch.notifications"
    label = "notifications"
