"""The offer clock's next due times, which an idle worker sleeps until: the earliest
pending offer's deadline, the earliest wait's end; and the oldest deadline is expired
first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.referrals.actions.offers import expire_due_offers
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

    [expired] = expire_due_offers(now=first.offers.get().expires_at)
    assert expired.referral_id == first.pk
    pending = Offer.objects.filter(status=OfferStatus.PENDING)
    assert next_offer_deadline() == min(o.expires_at for o in pending)
    assert next_offer_deadline() == second.offers.get(position=1).expires_at


def newer_referral_due_first():  # type: ignore[no-untyped-def]
    """Two offered referrals; the newer one's offer ends first (a shorter window)."""
    for zip_code in ("53711", "53703", "53704", "53705"):
        make_agent(zip_code=zip_code, licensed=["WI"])
    now = timezone.now()
    older, newer = make_referral(now=now), make_referral(now=now + timedelta(seconds=1))
    newer.offers.update(expires_at=now + timedelta(seconds=2))
    return older, newer, now + timedelta(hours=1)


def test_the_oldest_deadline_is_expired_first(plan_year) -> None:
    older, newer, later = newer_referral_due_first()
    assert [o.referral_id for o in expire_due_offers(now=later, batch=1)] == [newer.pk]
    assert [o.referral_id for o in expire_due_offers(now=later, batch=1)] == [older.pk]


def test_one_batch_expires_every_due_offer_oldest_first(plan_year) -> None:
    older, newer, later = newer_referral_due_first()
    assert [o.referral_id for o in expire_due_offers(now=later)] == [newer.pk, older.pk]
    assert not Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=later).exists()


def test_the_next_wait_deadline_is_the_earliest_waiting_referrals(plan_year) -> None:
    assert next_wait_deadline() is None
    waiting = make_referral(now=timezone.now())  # no agent: it waits
    assert waiting.status == ReferralStatus.WAITING
    assert next_wait_deadline() == waiting.wait_expires_at
