"""The workspace's use cases: each owns its transaction; views and jobs only call them.

The agent's answer to an offer is not here: every door calls referrals' `answer_offer`.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction

from agentmatch.agents.models import Agent
from agentmatch.referrals.models import Offer, Referral, ReferralStatus
from agentmatch.referrals.services import disclose_contact
from agentmatch.workspace.models import ContactReminder, FollowUp
from agentmatch.workspace.reminders import due_reminder_offers, enqueue_reminder
from agentmatch.workspace.services import FollowUpInput, set_follow_up

log = logging.getLogger("agentmatch.worker")


def show_contact_details(
    *, offers: Iterable[Offer], agent: Agent, now: datetime, channel: str
) -> None:
    """Every display of a consumer's contact details is one audited disclosure."""
    with transaction.atomic(durable=True):
        for offer in offers:
            disclose_contact(
                referral=offer.referral, agent=agent, now=now, channel=channel, context="view"
            )


def record_follow_up(
    *, referral: Referral, agent: Agent, data: FollowUpInput, now: datetime
) -> FollowUp:
    """The accepting agent's new follow-up status; raises FollowUpError naming the field."""
    with transaction.atomic(durable=True):
        return set_follow_up(referral=referral, agent=agent, data=data, now=now)


def send_due_contact_reminder(*, now: datetime) -> bool:
    """Reminds one agent about one consumer not contacted in time; False when none is due.

    Claims the referral with SKIP LOCKED (set_follow_up takes the same lock), and the
    ContactReminder row, unique per offer, is the proof it was sent: a second worker that
    got past the query before the first committed fails on that key and sends nothing.
    """
    with transaction.atomic(durable=True):
        referral = (
            Referral.objects.select_for_update(skip_locked=True)
            .filter(
                status=ReferralStatus.ACCEPTED,
                pk__in=due_reminder_offers(now).values("referral"),
            )
            .order_by("pk")
            .first()
        )
        if referral is None:
            return False
        # Read again under the lock: a follow-up recorded meanwhile cancels the reminder.
        offer = due_reminder_offers(now).filter(referral=referral).select_related("agent").first()
        if offer is None:
            return True
        offer.referral = referral
        try:
            with transaction.atomic():
                reminder = ContactReminder.objects.create(
                    offer=offer, agent=offer.agent, sent_at=now
                )
        except IntegrityError:
            # Another worker sent it between our query and our lock.
            return True
        reminder.messages = enqueue_reminder(offer=offer, now=now)
        reminder.save(update_fields=["messages"])
    log.info("contact reminder for referral %s to agent %s", referral.public_id, offer.agent_id)
    return True
