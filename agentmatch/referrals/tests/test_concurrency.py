"""Races: many agents, many workers, one referral. Exactly one winner, nothing twice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.core.jobs import run_due_jobs
from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.eligibility.models import AgentStatusEvent, AgentStatusKind
from agentmatch.referrals.models import EventKind, OfferStatus, Referral, ReferralEvent
from agentmatch.referrals.services import OfferConflict, accept_offer
from agentmatch.testing import at_the_same_moment, make_agent, make_referral, plan_year_2026

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_fifty_concurrent_accepts_of_one_offer_have_exactly_one_winner():
    plan_year_2026()
    agent = make_agent(zip_code="53711", licensed=["WI"])
    referral = make_referral()
    offer = referral.offers.get()
    now = timezone.now()

    def accept(_i: int) -> str:
        with transaction.atomic():
            accept_offer(offer_id=offer.pk, agent=agent, now=now)
        return "won"

    results = at_the_same_moment(50, accept)
    assert results.count("won") == 1
    conflicts = [r for r in results if isinstance(r, OfferConflict)]
    assert len(conflicts) == 49, [r for r in results if r != "won"][:3]
    assert {c.code for c in conflicts} == {"already_accepted"}
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.events.filter(kind=EventKind.ACCEPTED).count() == 1
    assert referral.disclosures.count() == 1


def test_accept_racing_the_expiry_ends_one_way_only():
    plan_year_2026()
    agents = [make_agent(zip_code=z, licensed=["WI"]) for z in ("53711", "53202")]
    for _ in range(20):
        referral = make_referral()
        offer = referral.offers.get()
        moment = offer.expires_at - timedelta(microseconds=1)

        def race(i: int, offer=offer, moment=moment) -> str:
            if i == 0:
                with transaction.atomic():
                    accept_offer(offer_id=offer.pk, agent=agents[0], now=moment)
                return "accepted"
            return f"worker did {run_due_jobs(now=offer.expires_at)}"

        at_the_same_moment(2, race)
        offer.refresh_from_db()
        referral.refresh_from_db()
        # Accepted just in time, or expired and moved on: never both.
        if offer.status == OfferStatus.ACCEPTED:
            assert referral.status == "accepted"
            assert referral.offers.count() == 1
        else:
            assert offer.status == OfferStatus.EXPIRED
            assert referral.offers.filter(status=OfferStatus.ACCEPTED).count() == 0
        # Reset the agents for the next round.
        for agent in agents:
            set_availability(agent=agent, switch="on", now=timezone.now())
        Referral.objects.filter(status__in=["offered", "waiting"]).update(
            status="canceled", ended_at=timezone.now()
        )
        from agentmatch.referrals.models import Offer

        Offer.objects.filter(status="pending").update(
            status="canceled", responded_at=timezone.now()
        )


def test_several_workers_never_expire_the_same_offer_twice():
    plan_year_2026()
    zips = ["53711", "53202", "54601", "54301", "53703", "53590", "53511", "53081"]
    for z in zips:
        make_agent(zip_code=z, licensed=["WI"])
    now = timezone.now()
    referrals = [make_referral(now=now + timedelta(milliseconds=i)) for i in range(8)]
    later = now + timedelta(minutes=16)

    results = at_the_same_moment(4, lambda _i: run_due_jobs(now=later, max_items=1000))
    assert not [r for r in results if isinstance(r, Exception)], results

    expired = Counter(
        ReferralEvent.objects.filter(kind=EventKind.EXPIRED).values_list("offer_id", flat=True)
    )
    assert expired, "the workers expired nothing"
    assert max(expired.values()) == 1
    for referral in referrals:
        referral.refresh_from_db()
        pending = referral.offers.filter(status=OfferStatus.PENDING).count()
        assert (referral.status, pending) in {("offered", 1), ("waiting", 0)}


def test_workers_expiring_batches_that_share_agents_pause_each_agent_once(settings):
    # Two offers per agent, so two workers' batches often hold the same agents: the pause
    # locks them in id order, and each agent goes red once whichever batch gets there first.
    settings.MAX_PENDING_OFFERS_PER_AGENT = 2
    settings.OFFER_EXPIRY_BATCH = 3
    plan_year_2026()
    zips = ["53711", "53202", "54601", "54301", "53703", "53590"]
    agents = [make_agent(zip_code=z, licensed=["WI"]) for z in zips]
    now = timezone.now()
    referrals = [make_referral(now=now + timedelta(milliseconds=i)) for i in range(12)]
    assert all(r.status == "offered" for r in referrals)
    later = now + timedelta(minutes=16)

    results = at_the_same_moment(4, lambda _i: run_due_jobs(now=later, max_items=1000))
    assert not [r for r in results if isinstance(r, Exception)], results

    expired = Counter(
        ReferralEvent.objects.filter(kind=EventKind.EXPIRED).values_list("offer_id", flat=True)
    )
    assert len(expired) == 12 and max(expired.values()) == 1
    went_red = Counter(
        AgentStatusEvent.objects.filter(
            kind=AgentStatusKind.AVAILABILITY, params__is_available=False
        ).values_list("agent_id", flat=True)
    )
    assert went_red and max(went_red.values()) == 1, went_red
    paused_codes = Counter(
        ReferralEvent.objects.filter(code="offer_window_passed_paused").values_list(
            "agent_id", flat=True
        )
    )
    assert set(paused_codes) == set(went_red) and max(paused_codes.values()) == 1
    for agent in agents:
        agent.refresh_from_db()
        assert agent.is_available == (agent.pk not in went_red)
