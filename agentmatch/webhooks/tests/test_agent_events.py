"""An agent's availability or routed states changing is an event for the subscriptions
that chose it, with the new value."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.eligibility.models import AgentStatusEvent
from agentmatch.testing import make_agent
from agentmatch.webhooks.tests.helpers import run_worker, subscribe

pytestmark = pytest.mark.django_db


def test_switching_off_is_an_availability_event(plan_year, partner, administrator, receiver):
    now = timezone.now()
    agent = make_agent(zip_code="53703", now=now)
    later = now + timedelta(seconds=5)
    subscribe(
        partner=partner,
        url=receiver.url,
        by=administrator,
        now=later,
        events=("agent.availability_changed",),
    )
    set_availability(agent=agent, now=later, switch="off")
    run_worker(later)

    (got,) = receiver.received
    body = json.loads(got.body)
    assert body["type"] == "agent.availability_changed"
    assert body["data"] == {"agent": {"npn": agent.npn}, "is_available": False}


def test_saving_the_same_availability_is_no_event(plan_year):
    now = timezone.now()
    agent = make_agent(zip_code="53703", now=now)
    before = AgentStatusEvent.objects.count()
    set_availability(agent=agent, now=now, switch="on")
    assert AgentStatusEvent.objects.count() == before


def test_a_new_eligible_agent_is_an_eligibility_event(plan_year, partner, administrator, receiver):
    now = timezone.now()
    subscribe(
        partner=partner,
        url=receiver.url,
        by=administrator,
        now=now - timedelta(seconds=1),
        events=("agent.eligibility_changed",),
    )
    agent = make_agent(zip_code="53703", licensed=["WI"], now=now)
    run_worker(timezone.now())
    bodies = [json.loads(r.body) for r in receiver.received]
    mine = [b for b in bodies if b["data"]["agent"]["npn"] == agent.npn]
    assert mine and "WI" in mine[-1]["data"]["states"]
