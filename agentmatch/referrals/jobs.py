"""The referrals' worker jobs (registered in ReferralsConfig.ready()): the offer clock.

Each job is a door: it calls one action of referrals/actions/offers.py, which claims one
due item with SKIP LOCKED in its own transaction, and says whether it found one. The
clock's jobs also say when their next item falls due (one indexed MIN each), so an idle
worker sleeps until that moment instead of finding out on its next poll.
"""

from datetime import datetime

from django.db.models import Min

from agentmatch.agents.models import Agent
from agentmatch.core.jobs import SWEEP, register
from agentmatch.core.planning import opaque
from agentmatch.referrals.actions.offers import (
    end_due_wait,
    expire_due_offers,
    offer_waiting_referral,
    recheck_due_availability,
)
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus


def expire_offers_batch(now: datetime) -> bool:
    return bool(expire_due_offers(now=now))


def end_one_wait(now: datetime) -> bool:
    return end_due_wait(now=now) is not None


def recheck_one_availability(now: datetime) -> bool:
    return recheck_due_availability(now=now) is not None


def next_offer_deadline() -> datetime | None:
    """The earliest deadline of a pending offer (the `offers_due` index)."""
    return Offer.objects.filter(status=opaque(OfferStatus.PENDING)).aggregate(at=Min("expires_at"))[
        "at"
    ]


def next_wait_deadline() -> datetime | None:
    return Referral.objects.filter(status=opaque(ReferralStatus.WAITING)).aggregate(
        at=Min("wait_expires_at")
    )["at"]


def next_availability_change() -> datetime | None:
    return Agent.objects.aggregate(at=Min("availability_changes_at"))["at"]


def offer_waiting(now: datetime, batch: int = 100) -> int:
    """Safety net behind the event-driven wake-ups: tries each waiting referral once."""
    ids = list(
        Referral.objects.filter(status=opaque(ReferralStatus.WAITING))  # waiting_queue
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(offer_waiting_referral(referral_id=pk, now=now) is not None for pk in ids)


def register_jobs() -> None:
    register("expire offers", expire_offers_batch, order=10, due=next_offer_deadline)
    register("end waits", end_one_wait, order=20, due=next_wait_deadline)
    register(
        "recheck availability", recheck_one_availability, order=30, due=next_availability_change
    )
    register("offer waiting referrals", offer_waiting, kind=SWEEP)
