"""The offer clock's next due times, which an idle worker sleeps until: the earliest
pending offer's deadline, the earliest wait's end; and the oldest deadline is expired
first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.referrals.actions.offers import expire_due_offer
from agentmatch.referrals.jobs import next_offer_deadline, next_wait_deadline
from agentmatch.referrals.models import Offer, OfferStatus, ReferralStatus
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


def test_the_next_offer_deadline_is_the_earliest_pending_offers(plan_year) -> None:
    assert next_offer_deadline() is None
    for zip_code in ("53711", "53703", "53704"):
        make_agent(zip_code=zip_code, licensed=["WI"])
    now = timezone.now()
    first = make_referral(now=now)
    second = make_referral(now=now + timedelta(seconds=5))
    assert next_offer_deadline() == first.offers.get().expires_at

    expired = expire_due_offer(now=first.offers.get().expires_at)
    assert expired is not None and expired.referral_id == first.pk
    pending = Offer.objects.filter(status=OfferStatus.PENDING)
    assert next_offer_deadline() == min(o.expires_at for o in pending)
    assert next_offer_deadline() == second.offers.get(position=1).expires_at


def test_the_oldest_deadline_is_expired_first(plan_year) -> None:
    for zip_code in ("53711", "53703", "53704", "53705"):
        make_agent(zip_code=zip_code, licensed=["WI"])
    now = timezone.now()
    older, newer = make_referral(now=now), make_referral(now=now + timedelta(seconds=1))
    # The newer referral's offer ends first (a shorter window): it goes first.
    newer.offers.update(expires_at=now + timedelta(seconds=2))
    later = now + timedelta(hours=1)
    assert expire_due_offer(now=later).referral_id == newer.pk  # type: ignore[union-attr]
    assert expire_due_offer(now=later).referral_id == older.pk  # type: ignore[union-attr]


def test_the_next_wait_deadline_is_the_earliest_waiting_referrals(plan_year) -> None:
    assert next_wait_deadline() is None
    waiting = make_referral(now=timezone.now())  # no agent: it waits
    assert waiting.status == ReferralStatus.WAITING
    assert next_wait_deadline() == waiting.wait_expires_at
