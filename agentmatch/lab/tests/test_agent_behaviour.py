"""The simulated agents' behaviour: accept shares by distance, language and load; calls
after an acceptance hold later offers; paused agents come back through the real switch."""

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from agentmatch.agents.models import AgentChange
from agentmatch.lab.scenario import load_scenario, parse_scenario
from agentmatch.lab.simulator import _accept_share, simulate
from agentmatch.referrals.models import Offer, OfferStatus

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml"


def tiny_with(**behaviour: object):  # type: ignore[no-untyped-def]
    data = tomllib.loads(TINY.read_text())
    data["behaviour"].update(behaviour)
    return parse_scenario(data)


def test_the_accept_share_multiplies_distance_language_and_load() -> None:
    scenario = tiny_with(accept_by_language={"es": 0.5}, accept_drop_per_referral=0.1)
    # tiny.toml: 0.9 within 25 miles, 0.6 within 100, 0.3 beyond.
    assert _accept_share(scenario, 10, "en", 0) == pytest.approx(0.9)
    assert _accept_share(scenario, 10, "es", 0) == pytest.approx(0.45)
    assert _accept_share(scenario, 60, "en", 2) == pytest.approx(0.6 * 0.9 * 0.9)
    assert _accept_share(scenario, 500, "es", 1) == pytest.approx(0.3 * 0.5 * 0.9)


@pytest.mark.django_db
def test_an_agent_on_a_call_sees_no_offer_until_it_ends() -> None:
    # Calls last about two days: after accepting, an agent never answers again that day.
    outcome = simulate(tiny_with(call_median_seconds=170_000, call_sigma=0.01))
    accepted_at: dict[str, float] = {}
    for referral in outcome.referrals:
        for offer in referral.offers:
            if offer.status == OfferStatus.ACCEPTED and referral.accepted_at is not None:
                first = accepted_at.get(offer.agent, referral.accepted_at)
                accepted_at[offer.agent] = min(first, referral.accepted_at)
    later = [
        o for r in outcome.referrals for o in r.offers
        if o.agent in accepted_at and o.offered_at > accepted_at[o.agent]
    ]  # fmt: skip
    assert later, "the tiny day offers an agent a second referral after their first"
    assert {o.status for o in later} == {OfferStatus.EXPIRED}


@pytest.mark.django_db
def test_paused_agents_come_back_by_the_switch() -> None:
    scenario = tiny_with(back_share=1.0, back_median_seconds=60)
    simulate(replace(scenario, seed=7))
    lapsed = Offer.objects.filter(status=OfferStatus.EXPIRED).count()
    back = AgentChange.objects.filter(detail__contains="back from a pause").count()
    assert lapsed and back
    # Reliably absent agents never come back: fewer returns than lapses.
    assert back < lapsed


@pytest.mark.django_db
def test_without_back_share_nobody_comes_back() -> None:
    simulate(load_scenario(TINY))
    assert Offer.objects.filter(status=OfferStatus.EXPIRED).exists()
    assert not AgentChange.objects.filter(detail__contains="back from a pause").exists()
