"""What an agent records after accepting a referral, and the reminders sent about it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agentmatch.agents.models import Agent
from agentmatch.referrals.models import Offer, Referral


class FollowUpStatus(models.TextChoices):
    CONTACTED = "contacted", _("Contacted")
    QUOTE_GIVEN = "quote_given", _("Quote given")
    ENROLLED = "enrolled", _("Enrolled")
    DEFERRED = "deferred", _("Deferred")
    NOT_A_GOOD_PROSPECT = "not_good_prospect", _("Not a good prospect")
    COULD_NOT_REACH = "could_not_reach", _("Could not reach")


# The statuses that need a written reason (the seeds' "justification").
NEEDS_REASON = (
    FollowUpStatus.DEFERRED,
    FollowUpStatus.NOT_A_GOOD_PROSPECT,
    FollowUpStatus.COULD_NOT_REACH,
)
# Work still open: these stay in the "Accepted referrals" list; the others move to history.
OPEN_FOLLOW_UPS = (FollowUpStatus.CONTACTED, FollowUpStatus.QUOTE_GIVEN, FollowUpStatus.DEFERRED)


class FollowUp(models.Model):
    """One status an agent set on a referral they accepted; the newest is `is_current`."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="follow_ups")
    status = models.CharField(max_length=20, choices=FollowUpStatus.choices)
    application_id = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=1000, blank=True)
    at = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="follow_up_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=FollowUpStatus.ENROLLED) | ~Q(application_id=""),
                name="enrolled_has_application_id",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=NEEDS_REASON) | ~Q(reason=""),
                name="follow_up_reason_when_needed",
            ),
            models.UniqueConstraint(
                fields=["referral", "agent"],
                condition=Q(is_current=True),
                name="one_current_follow_up",
            ),
        ]
        indexes = [models.Index(fields=["agent", "is_current"], name="follow_ups_by_agent")]
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.status} on referral {self.referral_id} by agent {self.agent_id}"


class ContactReminder(models.Model):
    """The "you have not contacted this consumer yet" reminder: one row, so sent once."""

    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, related_name="contact_reminder")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="contact_reminders")
    sent_at = models.DateTimeField()
    messages = models.PositiveSmallIntegerField(default=0, help_text="outbox rows written")
