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


class ControlKind(models.TextChoices):
    """Every change to the service itself an administrator can make from the web."""

    INTAKE_PAUSED = "intake_paused", "Paused consumer intake"
    INTAKE_RESUMED = "intake_resumed", "Resumed consumer intake"
    INTAKE_MESSAGE = "intake_message", "Changed the message shown while intake is paused"
    PLAN_YEAR_CREATED = "plan_year_created", "Created a plan year"
    PLAN_YEAR_CURRENT = "plan_year_current", "Made a plan year the current one"
    SERVED_STATES = "served_states", "Changed the states served"
    IMPORT_UPLOADED = "import_uploaded", "Uploaded a file to import"
    IMPORT_CANCELED = "import_canceled", "Canceled an import"
    MESSAGE_REQUEUED = "message_requeued", "Sent a message again"
    MESSAGES_REQUEUED = "messages_requeued", "Sent failed messages again"
    MESSAGE_CANCELED = "message_canceled", "Canceled a message"
    OPERATOR_CREATED = "operator_created", "Created an operator account"
    OPERATOR_ROLE = "operator_role", "Changed an operator's role"
    OPERATOR_DEACTIVATED = "operator_deactivated", "Deactivated an operator account"
    OPERATOR_REACTIVATED = "operator_reactivated", "Reactivated an operator account"
    OPERATOR_PASSWORD_RESET = "operator_password_reset", "Sent an operator a password link"
    WEBHOOK_CREATED = "webhook_created", "Created a webhook subscription"
    WEBHOOK_ROTATED = "webhook_rotated", "Rotated a webhook's secret"
    WEBHOOK_DEACTIVATED = "webhook_deactivated", "Deactivated a webhook subscription"
    WEBHOOK_TEST = "webhook_test", "Sent a test webhook"
    WEBHOOK_REDELIVERED = "webhook_redelivered", "Sent a failed webhook again"
    PARTNER_CONSUMER_DETAILS = (
        "partner_details",
        "Changed whether a partner may receive consumers' details",
    )


class ControlChange(models.Model):
    """Audit trail: one row per change an administrator made to the service from the web.

    Written by the action that makes the change, in its transaction. `subject` names what
    changed in the product's words (a plan year, a file name, a username, a message id);
    `detail` holds the parameters (before and after), never a secret or a consumer's
    phone number.
    """

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="control_changes"
    )
    kind = models.CharField(max_length=30, choices=ControlKind.choices)
    subject = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "at"], name="control_changes_by_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} by {self.operator_id}"


class DashboardDay(models.Model):
    """The dashboard's figures for the requests made on one UTC day, in one plan year,
    state and language: written by the roll-up job (operations/dashboard_rollup.py),
    read by the dashboard for the whole days of a period that were rolled up."""

    day = models.DateField()
    plan_year = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=2)
    language = models.CharField(max_length=3)
    requests = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    offers = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejects = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    asked = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    within_15 = models.PositiveIntegerField(default=0)
    within_30 = models.PositiveIntegerField(default=0)
    # Accepted requests per dashboard.ACCEPT_BANDS band; requests per UTC hour (24).
    bands = models.JSONField(default=list)
    hours = models.JSONField(default=list)
    # Histograms in whole seconds ({"seconds": count}): request to accepted answer, and
    # offer to answer (accepted or rejected).
    accept_seconds = models.JSONField(default=dict)
    answer_seconds = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "plan_year", "state", "language"], name="dashboard_day_cell"
            )
        ]


class AgentDay(models.Model):
    """How one agent answered the offers of the requests made on one UTC day (roll-up)."""

    day = models.DateField()
    plan_year = models.PositiveSmallIntegerField()
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    asked = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answer_seconds = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "plan_year", "agent"], name="agent_day_cell")
        ]
        indexes = [models.Index(fields=["agent", "day"], name="agent_days_by_agent")]


class DashboardRollup(models.Model):
    """One row (pk 1): every UTC day before `rolled_until` is in DashboardDay/AgentDay.
    The roll-up job locks it, so one worker at a time extends the roll-up."""

    rolled_until = models.DateField(null=True, blank=True)


class PlanYearSummary(models.Model):
    """A plan year's roll-up summed once (dashboard_rollup.py): its requests of the UTC
    days from November 2nd before it to `until`, so the plan-year view reads a few rows.
    `hours`: requests per UTC hour from that November 2nd; `answer_seconds`: the
    histogram of the agents' answer times."""

    plan_year = models.PositiveSmallIntegerField(unique=True)
    until = models.DateField()
    hours = models.JSONField(default=list)
    answer_seconds = models.JSONField(default=dict)


class PlanYearCell(models.Model):
    """A plan year's summed figures for one state and language (see PlanYearSummary)."""

    plan_year = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=2)
    language = models.CharField(max_length=3)
    requests = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    offers = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejects = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    asked = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    within_15 = models.PositiveIntegerField(default=0)
    within_30 = models.PositiveIntegerField(default=0)
    bands = models.JSONField(default=list)
    accept_seconds = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan_year", "state", "language"], name="plan_year_cell"
            )
        ]


class PlanYearAgent(models.Model):
    """How one agent answered the offers of a plan year (see PlanYearSummary)."""

    plan_year = models.PositiveSmallIntegerField()
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    asked = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answer_seconds = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_year", "agent"], name="plan_year_agent")
        ]
