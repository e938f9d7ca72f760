"""Support's own records: what operators did (a deactivation itself is an eligibility fact,
`eligibility.AgentDeactivation`)."""

from django.conf import settings
from django.db import models

from agentmatch.agents.models import Agent


class ActionKind(models.TextChoices):
    RESEND_INVITATION = "resend_invitation", "Resent the invitation"
    UNLOCK = "unlock", "Unlocked the account"
    DEACTIVATE = "deactivate", "Deactivated the agent"
    REACTIVATE = "reactivate", "Reactivated the agent"
    CLEAR_UNDELIVERABLE = "clear_undeliverable", "Let texts go to the agent's cell phone again"


class OperatorAction(models.Model):
    """Audit trail: one row per action an operator took on an agent's behalf."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="operator_actions"
    )
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="operator_actions")
    action = models.CharField(max_length=20, choices=ActionKind.choices)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["agent", "at"], name="operator_actions_by_agent")]
        ordering = ["-at", "-pk"]
