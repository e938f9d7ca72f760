"""The offer clock expires due offers a batch at a time (referrals/expiry.py): each offer
ends and its referral moves on exactly as if it had expired alone, while the pauses,
events and messages of the whole batch share their statements."""

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.eligibility.models import AgentStatusEvent, AgentStatusKind, RoutingSlot
from agentmatch.notifications.models import Message
from agentmatch.referrals.actions.offers import expire_due_offers
from agentmatch.referrals.models import EventKind, Offer, OfferStatus, ReferralEvent
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

MADISON_ZIPS = ("53703", "53704", "53705", "53711", "53713", "53714")


def test_a_batch_ends_every_due_offer_and_moves_each_referral_to_the_next_agent(
    plan_year,
) -> None:
    now = timezone.now()
    agents = [make_agent(zip_code=z, licensed=["WI"], now=now) for z in MADISON_ZIPS]
    referrals = [make_referral(now=now) for _ in range(3)]
    first_agents = {r.offers.get().agent_id for r in referrals}

    expired = expire_due_offers(now=now + timedelta(minutes=16))

    assert sorted(o.referral_id for o in expired) == sorted(r.pk for r in referrals)
    for referral in referrals:
        referral.refresh_from_db()
        assert referral.status == "offered"
        missed, pending = referral.offers.order_by("position")
        assert (missed.status, pending.status) == (OfferStatus.EXPIRED, OfferStatus.PENDING)
        assert pending.position == 2
        # The agent who missed it is paused, so the next offer goes to someone else.
        assert pending.agent_id not in first_agents
    paused = Agent.objects.filter(pk__in=first_agents)
    assert all(a.availability_switch == AvailabilitySwitch.OFF for a in paused)
    assert all(a.mode_before_pause == AvailabilitySwitch.ON for a in paused)
    assert not RoutingSlot.objects.filter(agent_id__in=first_agents, is_available=True).exists()
    assert {a.pk for a in agents} >= first_agents


def test_an_agent_with_two_missed_offers_in_one_batch_is_paused_once(plan_year, settings) -> None:
    settings.MAX_PENDING_OFFERS_PER_AGENT = 2
    now = timezone.now()
    nora = make_agent(zip_code="53711", licensed=["WI"], now=now)
    first, second = make_referral(now=now), make_referral(now=now + timedelta(seconds=1))
    assert {first.offers.get().agent_id, second.offers.get().agent_id} == {nora.pk}

    expire_due_offers(now=now + timedelta(minutes=16))

    codes = list(
        ReferralEvent.objects.filter(kind=EventKind.EXPIRED)
        .order_by("offer__expires_at")
        .values_list("code", flat=True)
    )
    assert codes == ["offer_window_passed_paused", "offer_window_passed_already_paused"]
    changes = AgentStatusEvent.objects.filter(agent=nora, kind=AgentStatusKind.AVAILABILITY)
    assert [e.params for e in changes.order_by("pk")][-2:] == [
        {"is_available": True},  # made available
        {"is_available": False},  # paused, once
    ]
    # Each missed offer still tells the agent, once each.
    assert Message.objects.filter(agent=nora, kind="offer_missed", channel="email").count() == 2


def test_an_agent_left_on_after_a_missed_offer_takes_a_waiting_referral(
    plan_year, settings
) -> None:
    settings.PAUSE_AGENT_AFTER_MISSED_OFFER = False
    now = timezone.now()
    nora = make_agent(zip_code="53711", licensed=["WI"], now=now)
    offered = make_referral(now=now)
    waiting = make_referral(now=now + timedelta(seconds=1))
    assert waiting.status == "waiting"

    expire_due_offers(now=now + timedelta(minutes=16))

    waiting.refresh_from_db()
    assert waiting.status == "offered"
    assert waiting.offers.get().agent == nora
    assert offered.offers.get().status == OfferStatus.EXPIRED


def test_the_shared_statements_of_a_batch_do_not_grow_with_its_size(plan_year) -> None:
    now = timezone.now()
    for zip_code in MADISON_ZIPS:
        make_agent(zip_code=zip_code, licensed=["WI"], now=now)
    for _ in range(3):
        make_referral(now=now)

    with CaptureQueriesContext(connection) as queries:
        assert len(expire_due_offers(now=now + timedelta(minutes=16))) == 3

    tables = Counter(
        (q["sql"].split()[0], table)
        for q in queries.captured_queries
        for table in (
            "referrals_referralevent",
            "eligibility_agentstatusevent",
            "eligibility_routingslot",
            "notifications_message",
        )
        if table in q["sql"].split("(")[0]
    )
    # Per batch, not per offer: one insert of expiry events (each next offer's event rides
    # in its own claim on PostgreSQL), one of status events, one slots update, one outbox
    # insert for the missed offers' and the next offers' messages together.
    assert tables[("INSERT", "eligibility_agentstatusevent")] == 1
    assert tables[("UPDATE", "eligibility_routingslot")] == 1
    assert tables[("INSERT", "notifications_message")] == 1
    assert Offer.objects.filter(status=OfferStatus.PENDING).count() == 3


@pytest.mark.parametrize("value", ["0", "-1", "1001"])
def test_an_expiry_batch_size_out_of_range_stops_the_start(tmp_path, value) -> None:
    env = {**os.environ, "OFFER_EXPIRY_BATCH": value, "PYTHONPATH": str(settings.BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", "import agentmatch.settings"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"OFFER_EXPIRY_BATCH={value}: expected 1 to 1000" in result.stderr
