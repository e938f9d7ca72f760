"""An agent's answer to an offer, and the offer clock (expiries, waits, availability).

Every door that answers an offer (the API, the workspace, a one-tap link, a text reply)
calls `answer_offer`; every worker job of the clock calls one of the `*_due_*` actions,
which claims a due item (expiries: a batch of them) with SELECT ... FOR UPDATE SKIP
LOCKED inside its own transaction, so any number of workers can run side by side and a
worker killed mid-item leaves the item as it was.
"""

import logging
from datetime import datetime
from typing import Final, Literal, Protocol

from django.conf import settings
from django.db import transaction

from agentmatch.agents.models import Agent
from agentmatch.core.planning import opaque
from agentmatch.eligibility.agent_facts import refresh_availability
from agentmatch.referrals.expiry import expire_offers
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.referrals.problems import CLOSED, OfferConflict
from agentmatch.referrals.services import (
    accept_offer,
    give_up_waiting,
    offer_next,
    offer_waiting_referrals,
    reject_offer,
)

log = logging.getLogger("agentmatch.worker")

ACCEPT: Final = "accept"
REJECT: Final = "reject"
Answer = Literal["accept", "reject"]
# Where an answer came from; recorded on the contact disclosure when it is an accept.
CHANNELS = ("api", "web", "link", "sms")


class SingleUseLink(Protocol):
    """A credential good for one answer (a one-tap link): spent in the answer's transaction."""

    def spend(self, *, now: datetime) -> bool:
        """Marks it used; False if it was used already or has run out."""
        ...


def answer_offer(
    *,
    offer_id: int,
    agent: Agent,
    answer: Answer,
    now: datetime,
    channel: str,
    link: SingleUseLink | None = None,
) -> Offer:
    """`agent` accepts or rejects their offer `offer_id`; raises OfferConflict if they can't.

    Accepting makes the referral theirs: the event, the audited disclosure of the
    consumer's details (with the channel they were shown on) and the consumer's "an agent
    will call you" message. Rejecting offers the referral to the next agent at once and
    may give the agent a waiting referral instead. An offer that does not exist and an
    offer made to someone else are the same `not_found`.
    """
    if answer not in (ACCEPT, REJECT):
        raise ValueError(f"unknown answer {answer!r}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    with transaction.atomic(durable=True):
        if answer == ACCEPT:
            offer = accept_offer(offer_id=offer_id, agent=agent, now=now, channel=channel)
        else:
            offer = reject_offer(offer_id=offer_id, agent=agent, now=now)
        # After the answer, so the referral is locked first (the locking order) and a spent
        # or run-out link has already met the offer's own, more telling, conflict.
        if link is not None and not link.spend(now=now):
            raise OfferConflict(CLOSED)
    return offer


# --- The clock ---------------------------------------------------------------------------


def expire_due_offers(*, now: datetime, batch: int | None = None) -> list[Offer]:
    """Ends up to `batch` (OFFER_EXPIRY_BATCH) pending offers whose window has passed and
    moves their referrals on, in one transaction (referrals/expiry.py)."""
    with transaction.atomic(durable=True):
        # Oldest deadlines first, found through the `offers_due` index; only the referrals
        # are locked (each serialises everything done to it), skipping those other workers
        # hold, so several workers take disjoint batches. The statuses are opaque to the
        # planner (core/planning.py): else, with statistics that saw nothing pending, it
        # joined every open request to every pending offer.
        referrals = list(
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=opaque(ReferralStatus.OFFERED),
                offers__status=opaque(OfferStatus.PENDING),
                offers__expires_at__lte=now,
            )
            .order_by("offers__expires_at")[: batch or settings.OFFER_EXPIRY_BATCH]
        )
        offers = expire_offers(referrals=referrals, now=now) if referrals else []
    for offer in offers:
        log.info(
            "offer %s to %s expired; referral %s now %s",
            offer.pk,
            offer.agent_id,
            offer.referral.public_id,
            offer.referral.status,
        )
    return offers


def end_due_wait(*, now: datetime) -> Referral | None:
    """Ends one waiting referral whose maximum wait has passed: unmatched, consumer told."""
    with transaction.atomic(durable=True):
        referral = (
            Referral.objects.select_for_update(skip_locked=True)
            .filter(status=opaque(ReferralStatus.WAITING), wait_expires_at__lte=now)
            .order_by("wait_expires_at")
            .first()
        )
        if referral is None or not give_up_waiting(referral=referral, now=now):
            return None
    log.info("referral %s ended unmatched after waiting", referral.public_id)
    return referral


def recheck_due_availability(*, now: datetime) -> Agent | None:
    """Re-resolves one agent whose hours or absence boundary has come; may wake referrals."""
    with transaction.atomic(durable=True):
        agent = (
            Agent.objects.select_for_update(skip_locked=True)
            .filter(availability_changes_at__lte=now)
            .order_by("availability_changes_at")
            .first()
        )
        if agent is None:
            return None
        was_available = agent.is_available
        result = refresh_availability(agent=agent, now=now)
        if result.is_available and not was_available:
            offer_waiting_referrals(now=now, agent=agent)
    return agent


def offer_waiting_referral(*, referral_id: int, now: datetime) -> Offer | None:
    """Tries once more to offer a waiting referral (the sweep behind the wake-ups)."""
    with transaction.atomic(durable=True):
        referral = (
            Referral.objects.select_for_update(skip_locked=True)
            .filter(pk=referral_id, status=opaque(ReferralStatus.WAITING))
            .first()
        )
        if referral is None:
            return None
        return offer_next(referral=referral, now=now)
