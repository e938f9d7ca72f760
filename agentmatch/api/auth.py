from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from agentmatch.accounts.devices import user_for_device_token
from agentmatch.agents.models import Agent


class AgentToken(HttpBearer):
    """`Authorization: Bearer <token>`: a device token of an active agent account."""

    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        user = user_for_device_token(token=token, now=timezone.now())
        return user.agent if user is not None else None
