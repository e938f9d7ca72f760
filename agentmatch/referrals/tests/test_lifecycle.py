"""A referral's life: offered, accepted, rejected, expired, waiting, unmatched, canceled."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.referrals.jobs import end_one_wait, expire_offers_batch
from agentmatch.referrals.models import EventKind, Offer, OfferStatus, ReferralStatus
from agentmatch.referrals.services import (
    OfferConflict,
    ReferralClosed,
    accept_offer,
    cancel_referral,
    reject_offer,
)
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


def events(referral):
    return list(referral.events.order_by("at", "pk").values_list("kind", flat=True))


@pytest.fixture
def madison(plan_year):
    """Three Wisconsin agents, closest to Madison first."""
    return [
        make_agent(zip_code="53711", licensed=["WI"], first_name="Near"),
        make_agent(zip_code="53202", licensed=["WI"], first_name="Middle"),
        make_agent(zip_code="54601", licensed=["WI"], first_name="Far"),
    ]


def test_accepting_assigns_the_consumer_and_records_the_disclosure(madison):
    now = timezone.now()
    referral = make_referral(now=now)
    offer = referral.offers.get()
    with transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=madison[0], now=now + timedelta(minutes=3))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert events(referral) == ["created", "offered", "accepted"]
    assert referral.disclosures.get().agent == madison[0]


def test_rejected_offer_moves_to_the_next_closest_agent_at_once(madison):
    now = timezone.now()
    referral = make_referral(now=now)
    first = referral.offers.get()
    with transaction.atomic():
        reject_offer(offer_id=first.pk, agent=madison[0], now=now + timedelta(minutes=1))
    second = referral.offers.get(status=OfferStatus.PENDING)
    assert second.agent == madison[1]
    assert second.position == 2
    assert second.offered_at == now + timedelta(minutes=1)
    assert events(referral) == ["created", "offered", "rejected", "offered"]


def test_expired_offer_moves_on_when_the_window_passes(madison, settings):
    now = timezone.now()
    referral = make_referral(now=now)
    # Not yet due: the worker leaves it alone.
    assert expire_offers_batch(now + timedelta(minutes=14, seconds=59)) is False
    assert expire_offers_batch(now + timedelta(minutes=15)) is True
    offers = list(referral.offers.order_by("position"))
    assert [o.status for o in offers] == [OfferStatus.EXPIRED, OfferStatus.PENDING]
    assert offers[1].agent == madison[1]
    assert events(referral) == ["created", "offered", "expired", "offered"]


def test_agent_who_misses_an_offer_is_switched_to_not_available(madison):
    now = timezone.now()
    make_referral(now=now)
    expire_offers_batch(now + timedelta(minutes=16))
    madison[0].refresh_from_db()
    assert madison[0].availability_switch == "off"
    assert madison[0].is_available is False


def test_offer_window_is_configurable(madison, settings):
    settings.OFFER_WINDOW_SECONDS = 5
    now = timezone.now()
    offer = make_referral(now=now).offers.get()
    assert offer.expires_at - offer.offered_at == timedelta(seconds=5)


def test_declined_referral_is_never_offered_to_the_same_agent_again(madison):
    now = timezone.now()
    referral = make_referral(now=now)
    t = now
    for agent in madison:
        t += timedelta(minutes=1)
        offer = referral.offers.get(status=OfferStatus.PENDING)
        assert offer.agent == agent
        with transaction.atomic():
            reject_offer(offer_id=offer.pk, agent=agent, now=t)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING
    assert referral.offers.count() == 3
    assert sorted(referral.offers.values_list("agent", flat=True)) == sorted(a.pk for a in madison)


def test_accepting_an_expired_offer_is_a_conflict(madison):
    now = timezone.now()
    offer = make_referral(now=now).offers.get()
    with pytest.raises(OfferConflict) as err, transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=madison[0], now=now + timedelta(minutes=15))
    assert err.value.code == "expired"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING  # the worker expires it and moves on


def test_accepting_a_rejected_offer_is_a_conflict(madison):
    now = timezone.now()
    offer = make_referral(now=now).offers.get()
    with transaction.atomic():
        reject_offer(offer_id=offer.pk, agent=madison[0], now=now)
    with pytest.raises(OfferConflict) as err, transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=madison[0], now=now)
    assert err.value.code == "rejected"


def test_someone_elses_offer_is_not_found_like_an_unknown_one(madison):
    now = timezone.now()
    offer = make_referral(now=now).offers.get()
    with pytest.raises(OfferConflict) as err, transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=madison[1], now=now)
    assert err.value.code == "not_found"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def test_accepting_twice_is_a_conflict_and_assigns_once(madison):
    now = timezone.now()
    referral = make_referral(now=now)
    offer = referral.offers.get()
    with transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=madison[0], now=now)
    with pytest.raises(OfferConflict) as err, transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=madison[0], now=now)
    assert err.value.code == "already_accepted"
    assert referral.events.filter(kind=EventKind.ACCEPTED).count() == 1


def test_referral_with_nobody_available_waits_and_is_offered_when_an_agent_switches_on(
    plan_year,
):
    now = timezone.now()
    agent = make_agent(zip_code="53711", licensed=["WI"], switch="off")
    referral = make_referral(now=now)
    assert referral.status == ReferralStatus.WAITING
    assert "available" in referral.events.get(kind=EventKind.WAITING).detail
    from agentmatch.referrals.services import offer_waiting_referrals

    with transaction.atomic():
        set_availability(agent=agent, switch="on", now=now + timedelta(minutes=2))
        offer_waiting_referrals(now=now + timedelta(minutes=2), agent=agent)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OFFERED
    assert referral.offers.get().agent == agent


def test_waiting_referrals_are_offered_oldest_first(plan_year):
    now = timezone.now()
    agent = make_agent(zip_code="53711", licensed=["WI"], switch="off")
    older = make_referral(now=now, first_name="Older")
    newer = make_referral(now=now + timedelta(minutes=1), first_name="Newer")
    from agentmatch.referrals.services import offer_waiting_referrals

    with transaction.atomic():
        set_availability(agent=agent, switch="on", now=now + timedelta(minutes=2))
        offer_waiting_referrals(now=now + timedelta(minutes=2), agent=agent)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.status == ReferralStatus.OFFERED
    assert newer.status == ReferralStatus.WAITING  # the agent's one offer slot is taken


def test_agent_freed_by_a_reject_takes_the_oldest_waiting_referral(madison):
    now = timezone.now()
    near = madison[0]
    # Keep only the nearest agent on so every other referral waits for them.
    for other in madison[1:]:
        with transaction.atomic():
            set_availability(agent=other, switch="off", now=now)
    first = make_referral(now=now, first_name="First")
    waiting = make_referral(now=now + timedelta(seconds=1), first_name="Second")
    assert waiting.status == ReferralStatus.WAITING
    with transaction.atomic():
        reject_offer(offer_id=first.offers.get().pk, agent=near, now=now + timedelta(minutes=1))
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.OFFERED
    assert waiting.offers.get().agent == near


def test_agent_freed_by_an_accept_takes_the_oldest_waiting_referral_before_any_new_one(
    madison,
):
    now = timezone.now()
    near = madison[0]
    for other in madison[1:]:
        with transaction.atomic():
            set_availability(agent=other, switch="off", now=now)
    first = make_referral(now=now, first_name="First")
    waiting = make_referral(now=now + timedelta(seconds=1), first_name="Second")
    assert waiting.status == ReferralStatus.WAITING
    with transaction.atomic():
        accept_offer(offer_id=first.offers.get().pk, agent=near, now=now + timedelta(minutes=1))
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.OFFERED
    assert waiting.offers.get().agent == near


def test_agent_not_paused_after_an_expiry_takes_the_oldest_waiting_referral(madison, settings):
    settings.PAUSE_AGENT_AFTER_MISSED_OFFER = False
    now = timezone.now()
    near = madison[0]
    for other in madison[1:]:
        with transaction.atomic():
            set_availability(agent=other, switch="off", now=now)
    first = make_referral(now=now, first_name="First")
    waiting = make_referral(now=now + timedelta(seconds=1), first_name="Second")
    assert expire_offers_batch(now + timedelta(seconds=settings.OFFER_WINDOW_SECONDS + 1))
    waiting.refresh_from_db()
    assert waiting.status == ReferralStatus.OFFERED
    assert waiting.offers.get().agent == near
    first.refresh_from_db()
    assert first.status == ReferralStatus.WAITING  # nobody else; the near agent had it


def test_waiting_referral_ends_unmatched_after_the_maximum_wait(plan_year, settings):
    settings.MAX_WAIT_SECONDS = 600
    now = timezone.now()
    make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])
    referral = make_referral(zip_code="53703", language="vi", now=now)
    assert referral.status == ReferralStatus.WAITING
    assert end_one_wait(now + timedelta(seconds=599)) is False
    assert end_one_wait(now + timedelta(seconds=600)) is True
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.UNMATCHED
    assert referral.end_reason == "maximum wait reached; no agent for WI speaks Vietnamese"
    ended = referral.events.get(kind=EventKind.UNMATCHED)
    assert (ended.code, ended.params) == (
        "max_wait_reached",
        {"reason": "no_agent_speaks_language", "state": "WI", "language": "vi"},
    )
    assert events(referral) == ["created", "waiting", "unmatched"]


def test_consumer_cancel_withdraws_the_pending_offer(madison):
    now = timezone.now()
    referral = make_referral(now=now)
    with transaction.atomic():
        cancel_referral(referral_id=referral.pk, now=now + timedelta(minutes=1))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELED
    assert referral.offers.get().status == OfferStatus.CANCELED
    with pytest.raises(OfferConflict) as err, transaction.atomic():
        accept_offer(offer_id=referral.offers.get().pk, agent=madison[0], now=now)
    assert err.value.code == "canceled"
    with pytest.raises(ReferralClosed), transaction.atomic():
        cancel_referral(referral_id=referral.pk, now=now)


def test_every_offer_explains_itself(madison):
    offer = make_referral().offers.get()
    assert offer.rank == 1
    assert offer.qualified_agents == 3
    assert 0 < offer.distance_miles < 10
    assert offer.explanation["state"] == "WI"
    assert "routed for WI" in offer.reason


def test_at_most_one_pending_offer_per_referral_is_a_database_rule(madison):
    from django.db import IntegrityError

    referral = make_referral()
    offer = referral.offers.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            referral=referral,
            agent=madison[1],
            position=2,
            rank=1,
            distance_miles=1,
            qualified_agents=1,
            reason="x",
            offered_at=offer.offered_at,
            expires_at=offer.expires_at,
        )
