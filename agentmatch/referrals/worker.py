"""The worker's jobs: everything time drives, found from data in the database.

Each job claims one item at a time inside its own transaction with SELECT ... FOR UPDATE
SKIP LOCKED, so any number of workers can run side by side without handling an item twice,
and a worker killed mid-item leaves the item exactly as it was for the next one.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agentmatch.accounts.jobs import send_invitation_job
from agentmatch.agents.models import Agent
from agentmatch.agents.services import refresh_availability
from agentmatch.notifications.jobs import deliver_message_job
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.referrals.services import (
    expire_offer,
    give_up_waiting,
    offer_next,
    offer_waiting_referrals,
)
from agentmatch.workspace.reminders import send_one_contact_reminder

log = logging.getLogger("agentmatch.worker")


def expire_one_offer(now: datetime) -> bool:
    """Ends one pending offer whose window has passed and moves its referral on."""
    due = Offer.objects.filter(
        referral=OuterRef("pk"), status=OfferStatus.PENDING, expires_at__lte=now
    )
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(skip_locked=True)
            .filter(Exists(due), status=ReferralStatus.OFFERED)
            .order_by("pk")
            .first()
        )
        if referral is None:
            return False
        offer = expire_offer(referral=referral, now=now)
        if offer is not None:
            log.info(
                "offer %s to %s expired; referral %s now %s",
                offer.pk,
                offer.agent_id,
                referral.public_id,
                referral.status,
            )
        return True


def end_one_wait(now: datetime) -> bool:
    """Ends one waiting referral whose maximum wait has passed."""
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(skip_locked=True)
            .filter(status=ReferralStatus.WAITING, wait_expires_at__lte=now)
            .order_by("wait_expires_at")
            .first()
        )
        if referral is None:
            return False
        give_up_waiting(referral=referral, now=now)
        log.info("referral %s ended unmatched after waiting", referral.public_id)
        return True


def recheck_one_availability(now: datetime) -> bool:
    """Re-resolves one agent whose hours or absence boundary has come; may wake referrals."""
    with transaction.atomic():
        agent = (
            Agent.objects.select_for_update(skip_locked=True)
            .filter(availability_changes_at__lte=now)
            .order_by("availability_changes_at")
            .first()
        )
        if agent is None:
            return False
        was_available = agent.is_available
        result = refresh_availability(agent=agent, now=now)
        if result.is_available and not was_available:
            offer_waiting_referrals(now=now, agent=agent)
        return True


def offer_waiting(now: datetime, batch: int = 100) -> int:
    """Safety net behind the event-driven wake-ups: tries each waiting referral once."""
    ids = list(
        Referral.objects.filter(status=ReferralStatus.WAITING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    offered = 0
    for pk in ids:
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=ReferralStatus.WAITING)
                .first()
            )
            if referral is not None and offer_next(referral=referral, now=now) is not None:
                offered += 1
    return offered


JOBS: list[tuple[str, Callable[[datetime], bool]]] = [
    ("expire offers", expire_one_offer),
    ("end waits", end_one_wait),
    ("recheck availability", recheck_one_availability),
    ("send invitations", send_invitation_job),
    ("contact reminders", send_one_contact_reminder),
    ("deliver messages", deliver_message_job),
]


def run_due_jobs(*, now: datetime | None = None, max_items: int = 200) -> int:
    """Runs every due item of every job, up to `max_items`; returns how many were done."""
    done = 0
    for _name, job in JOBS:
        while done < max_items and job(now or timezone.now()):
            done += 1
    return done


__all__ = ["offer_waiting", "offer_waiting_referrals", "run_due_jobs"]
