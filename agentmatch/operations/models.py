"""Support's own records: what operators did, and which agents they took out of routing."""

from django.conf import settings
from django.db import models

from agentmatch.agents.models import Agent


class ActionKind(models.TextChoices):
    RESEND_INVITATION = "resend_invitation", "Resent the invitation"
    UNLOCK = "unlock", "Unlocked the account"
    DEACTIVATE = "deactivate", "Deactivated the agent"
    REACTIVATE = "reactivate", "Reactivated the agent"


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


class AgentDeactivation(models.Model):
    """An agent support has taken out of service: no login, no routing, until reactivated.

    Kept here rather than on Agent so eligibility refreshes can read it as one more fact
    (rules.py `in_service`) and nothing an import or the agent does can undo it.
    """

    agent = models.OneToOneField(Agent, on_delete=models.CASCADE, related_name="deactivation")
    deactivated_at = models.DateTimeField()
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500)
    # Restored on reactivation, so the agent comes back as they were.
    previous_switch = models.CharField(max_length=10)
