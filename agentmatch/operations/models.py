"""Support's own records: what operators did (a deactivation itself is an eligibility fact,
`eligibility.AgentDeactivation`)."""

from datetime import datetime, timedelta

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


class ExportKind(models.TextChoices):
    REFERRALS = "referrals", "Referrals"
    OFFERS = "offers", "Offers"
    UNMATCHED = "unmatched", "Unmatched requests"


class DataExport(models.Model):
    """Audit trail: one row per CSV an operator downloaded, written before the first byte.

    The period and kind say exactly which referrals it held (the export's query is the
    same for everyone); `with_contact_details` whether consumers' names, phones, emails
    and ZIP codes were in it (administrators only).
    """

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_exports"
    )
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    with_contact_details = models.BooleanField(default=False)
    rows = models.PositiveIntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lt=models.F("period_end")),
                name="data_export_period_is_forward",
            )
        ]

    @property
    def last_included(self) -> datetime:
        # period_end is the first moment not included (midnight after the last day).
        return self.period_end - timedelta(seconds=1)
