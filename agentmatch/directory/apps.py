from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "agentmatch.directory"
