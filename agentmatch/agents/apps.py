from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agentmatch.agents"
    label = "agents"
