"""Wrap-up time (ROUTING_WRAP_UP_SECONDS): an agent who just accepted a referral is calling
that consumer, so the other qualified agents are offered first, under every policy; the
agent is never left out, and the offer says who was passed over and why."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from agentmatch.agents.models import Agent
from agentmatch.referrals.event_details import skipped_texts
from agentmatch.referrals.models import Offer, OfferStatus, Referral
from agentmatch.referrals.tests.test_policies import (
    CLOSE,
    EDGE,
    MIDDLE,
    NOW,
    agent,
    past_referrals,
    route,
)

pytestmark = pytest.mark.django_db


def accepted(agent: Agent, referral: Referral, *, ago: timedelta) -> None:
    """The agent accepted `referral` `ago` before NOW."""
    answered = NOW - ago
    Offer.objects.create(
        referral=referral,
        agent=agent,
        status=OfferStatus.ACCEPTED,
        position=1,
        rank=1,
        distance_miles=1.0,
        qualified_agents=1,
        reason="",
        offered_at=answered - timedelta(minutes=1),
        expires_at=answered + timedelta(minutes=14),
        responded_at=answered,
    )


def test_an_agent_who_just_accepted_is_offered_after_the_others(plan_year, settings):
    settings.ROUTING_WRAP_UP_SECONDS = 20 * 60
    (earlier,) = past_referrals(1)
    close = agent(CLOSE)
    middle = agent(MIDDLE)
    accepted(close, earlier, ago=timedelta(minutes=5))
    offer = route()
    assert offer.agent == middle
    assert offer.explanation["skipped_codes"] == [
        ["skipped_wrap_up", {"agent": close.pk, "minutes": 5}]
    ]
    with translation.override("en"):
        assert [text for text, _ in skipped_texts(offer.explanation)] == [
            f"agent {close.pk} accepted a referral 5 min ago (wrap-up time)"
        ]
    with translation.override("es"):
        assert [text for text, _ in skipped_texts(offer.explanation)] == [
            f"el agente {close.pk} aceptó una referencia hace 5 min (tiempo de cierre de llamada)"
        ]


@pytest.mark.parametrize("policy", ["nearest", "fair", "responsive"])
def test_every_policy_keeps_the_wrap_up(plan_year, settings, policy):
    settings.ROUTING_WRAP_UP_SECONDS = 20 * 60
    (earlier,) = past_referrals(1)
    close, middle, edge = agent(CLOSE), agent(MIDDLE), agent(EDGE)
    accepted(close, earlier, ago=timedelta(minutes=1))
    offer = route(policy)
    assert offer.agent in (middle, edge)
    assert offer.agent != close


def test_the_wrap_up_ends_after_its_time(plan_year, settings):
    settings.ROUTING_WRAP_UP_SECONDS = 20 * 60
    (earlier,) = past_referrals(1)
    close = agent(CLOSE)
    agent(MIDDLE)
    accepted(close, earlier, ago=timedelta(minutes=21))
    assert route().agent == close


def test_an_agent_in_wrap_up_is_offered_when_nobody_else_can_be(plan_year, settings):
    settings.ROUTING_WRAP_UP_SECONDS = 20 * 60
    (earlier,) = past_referrals(1)
    close = agent(CLOSE)
    accepted(close, earlier, ago=timedelta(minutes=2))
    offer = route()
    assert offer.agent == close
    assert offer.explanation["skipped_codes"] == [
        ["skipped_wrap_up", {"agent": close.pk, "minutes": 2}]
    ]


def test_there_is_no_wrap_up_by_default(plan_year):
    assert django_settings.ROUTING_WRAP_UP_SECONDS == 0
    (earlier,) = past_referrals(1)
    close = agent(CLOSE)
    agent(MIDDLE)
    accepted(close, earlier, ago=timedelta(minutes=1))
    offer = route()
    assert offer.agent == close
    assert offer.explanation["skipped_codes"] == []


def test_a_negative_wrap_up_stops_the_start(tmp_path):
    env = {"ROUTING_WRAP_UP_SECONDS": "-60", "PYTHONPATH": str(django_settings.BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", "import agentmatch.settings"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ROUTING_WRAP_UP_SECONDS=-60: expected 0 (off) to 86400 seconds" in result.stderr
