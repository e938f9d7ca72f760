from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from agentmatch.agents.models import Agent
from agentmatch.agents.services import agent_for_token


class AgentToken(HttpBearer):
    """`Authorization: Bearer <token>` with a per-agent API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        return agent_for_token(token=token, now=timezone.now())
