"""The workspace's domain steps; workspace/actions.py wraps them in their transactions."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from agentmatch.agents.models import Agent
from agentmatch.referrals.models import Offer, OfferStatus, Referral
from agentmatch.referrals.services import lock_referral
from agentmatch.workspace.models import NEEDS_REASON, FollowUp, FollowUpStatus


def reminder_delay() -> timedelta:
    """How long after accepting an agent has to record a first contact before a reminder."""
    return timedelta(minutes=settings.CONTACT_REMINDER_MINUTES)


MAX_APPLICATION_ID = 40
MAX_REASON = 1000


class FollowUpError(Exception):
    """A follow-up that cannot be recorded; `field` names the form field at fault, `code`
    is stable for API clients."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


@dataclass(frozen=True)
class FollowUpInput:
    status: str
    application_id: str = ""
    reason: str = ""


def accepted_offer(*, referral: Referral, agent: Agent) -> Offer | None:
    """The agent's accepted offer for the referral: the only way to its contact details."""
    return Offer.objects.filter(referral=referral, agent=agent, status=OfferStatus.ACCEPTED).first()


def current_follow_up(*, referral: Referral, agent: Agent) -> FollowUp | None:
    return FollowUp.objects.filter(referral=referral, agent=agent, is_current=True).first()


def needs_contact_reminder(*, offer: Offer, has_follow_up: bool, now: datetime) -> bool:
    """Accepted an hour ago (or more) and nothing recorded since: remind the agent."""
    return (
        offer.status == OfferStatus.ACCEPTED
        and offer.responded_at is not None
        and not has_follow_up
        and offer.responded_at + reminder_delay() <= now
    )


def validate_follow_up(data: FollowUpInput) -> FollowUpInput:
    """Checks the rules the database enforces, so the form can say which field is wrong."""
    if data.status not in FollowUpStatus.values:
        raise FollowUpError(_("Choose a follow-up status."), "status")
    application_id = data.application_id.strip()
    reason = data.reason.strip()
    if data.status == FollowUpStatus.ENROLLED and not application_id:
        raise FollowUpError(
            _("Enter the application ID of the enrollment (from HealthCare.gov)."),
            "application_id",
        )
    if len(application_id) > MAX_APPLICATION_ID:
        raise FollowUpError(
            _("The application ID is at most %(n)d characters.") % {"n": MAX_APPLICATION_ID},
            "application_id",
        )
    if data.status in NEEDS_REASON and not reason:
        raise FollowUpError(_("Enter a reason for this status."), "reason")
    if len(reason) > MAX_REASON:
        raise FollowUpError(
            _("The reason is at most %(n)d characters.") % {"n": MAX_REASON}, "reason"
        )
    return FollowUpInput(
        status=data.status,
        application_id=application_id if data.status == FollowUpStatus.ENROLLED else "",
        reason=reason,
    )


def set_follow_up(
    *, referral: Referral, agent: Agent, data: FollowUpInput, now: datetime
) -> FollowUp:
    """Records the agent's new follow-up status; the previous one stays as history."""
    data = validate_follow_up(data)
    # The referral row is the lock for everything about one referral (see referrals.services).
    locked = lock_referral(referral.pk)
    if accepted_offer(referral=referral, agent=agent) is None:
        raise FollowUpError(
            _("Only the agent who accepted a referral can update it."), code="not_accepted"
        )
    if locked.anonymised_at is not None:
        # Its notes were removed with the contact details; new ones would bring them back.
        raise FollowUpError(
            _("This referral has ended and its details were removed."), code="details_removed"
        )
    FollowUp.objects.filter(referral=referral, agent=agent, is_current=True).update(
        is_current=False
    )
    return FollowUp.objects.create(
        referral=referral,
        agent=agent,
        status=data.status,
        application_id=data.application_id,
        reason=data.reason,
        at=now,
        is_current=True,
    )
