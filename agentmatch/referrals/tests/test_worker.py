"""What the worker drives from the database: expiries, waits, hours beginning, sweeps."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction

from agentmatch.core.jobs import run_due_jobs
from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.referrals.jobs import offer_waiting, recheck_one_availability
from agentmatch.referrals.models import OfferStatus, ReferralStatus
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
MONDAY_0859 = datetime(2026, 11, 30, 8, 59, tzinfo=CHICAGO)


def test_referral_waiting_before_hours_is_offered_when_the_agents_hours_begin(plan_year):
    agent = make_agent(zip_code="53711", licensed=["WI"], switch="schedule", now=MONDAY_0859)
    with transaction.atomic():
        availability = set_availability(
            agent=agent, weekly_hours=[(0, time(9), time(17))], now=MONDAY_0859
        )
    assert availability.is_available is False
    assert availability.changes_at == MONDAY_0859 + timedelta(minutes=1)
    referral = make_referral(now=MONDAY_0859)
    assert referral.status == ReferralStatus.WAITING

    assert recheck_one_availability(MONDAY_0859 + timedelta(seconds=30)) is False
    assert recheck_one_availability(MONDAY_0859 + timedelta(minutes=1)) is True
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OFFERED
    assert referral.offers.get().agent == agent


def test_agent_whose_hours_end_stops_getting_offers(plan_year):
    agent = make_agent(zip_code="53711", licensed=["WI"], switch="schedule", now=MONDAY_0859)
    monday_1659 = MONDAY_0859 + timedelta(hours=8)
    with transaction.atomic():
        set_availability(agent=agent, weekly_hours=[(0, time(9), time(17))], now=monday_1659)
    run_due_jobs(now=monday_1659 + timedelta(minutes=1))
    agent.refresh_from_db()
    assert agent.is_available is False
    assert make_referral(now=monday_1659 + timedelta(minutes=2)).status == "waiting"


def test_stale_availability_is_checked_again_before_offering(plan_year):
    """Between the hour boundary and the worker's next pass, routing re-checks the agent."""
    agent = make_agent(zip_code="53711", licensed=["WI"], switch="schedule", now=MONDAY_0859)
    monday_1659 = MONDAY_0859 + timedelta(hours=8)
    with transaction.atomic():
        set_availability(agent=agent, weekly_hours=[(0, time(9), time(17))], now=monday_1659)
    # No worker pass: the stored flag still says available, but hours ended at 17:00.
    referral = make_referral(now=monday_1659 + timedelta(minutes=5))
    assert referral.status == ReferralStatus.WAITING
    agent.refresh_from_db()
    assert agent.is_available is False


def test_sweep_offers_waiting_referrals_when_new_eligibility_arrives(plan_year):
    agent = make_agent(zip_code="53711", licensed=["IA"])  # not licensed in WI yet
    referral = make_referral()
    assert referral.status == ReferralStatus.WAITING
    from agentmatch.eligibility.services import refresh_routing_states
    from agentmatch.testing import give_license

    give_license(agent, "WI")
    refresh_routing_states(agents=[agent], plan_year=plan_year, today=referral.created_at.date())
    assert offer_waiting(referral.created_at + timedelta(seconds=1)) == 1
    referral.refresh_from_db()
    assert referral.offers.get(status=OfferStatus.PENDING).agent == agent


def test_worker_once_runs_due_work_and_exits(plan_year, settings):
    settings.OFFER_WINDOW_SECONDS = 1
    make_agent(zip_code="53711", licensed=["WI"])
    make_agent(zip_code="53202", licensed=["WI"])
    referral = make_referral(now=datetime(2026, 1, 5, 12, 0, tzinfo=CHICAGO))
    call_command("worker", "--once")
    referral.refresh_from_db()
    assert list(referral.offers.order_by("position").values_list("status", flat=True)) == [
        "expired",
        "pending",
    ]
