"""The referrals' worker jobs (registered in ReferralsConfig.ready()): the offer clock.

Each job is a door: it calls one action of referrals/actions/offers.py, which claims one
due item with SKIP LOCKED in its own transaction, and says whether it found one.
"""

from datetime import datetime

from agentmatch.core.jobs import SWEEP, register
from agentmatch.referrals.actions.offers import (
    end_due_wait,
    expire_due_offer,
    offer_waiting_referral,
    recheck_due_availability,
)
from agentmatch.referrals.models import Referral, ReferralStatus


def expire_one_offer(now: datetime) -> bool:
    return expire_due_offer(now=now) is not None


def end_one_wait(now: datetime) -> bool:
    return end_due_wait(now=now) is not None


def recheck_one_availability(now: datetime) -> bool:
    return recheck_due_availability(now=now) is not None


def offer_waiting(now: datetime, batch: int = 100) -> int:
    """Safety net behind the event-driven wake-ups: tries each waiting referral once."""
    ids = list(
        Referral.objects.filter(status=ReferralStatus.WAITING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(offer_waiting_referral(referral_id=pk, now=now) is not None for pk in ids)


def register_jobs() -> None:
    register("expire offers", expire_one_offer, order=10)
    register("end waits", end_one_wait, order=20)
    register("recheck availability", recheck_one_availability, order=30)
    register("offer waiting referrals", offer_waiting, kind=SWEEP)
