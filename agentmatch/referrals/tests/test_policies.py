"""Routing policies on small hand-made cases: three agents near a consumer in Madison
(53703), at known distances, with known last offers and answer histories.

Distances from the consumer: CLOSE (53715) 1.2 miles, MIDDLE (53713) 2.9, EDGE (53711)
4.5, all inside the default band (the closest + 5 miles = 6.2); OUTSIDE (53590) 11.1.
"""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agentmatch.agents.models import Agent
from agentmatch.core.geo import lookup_zip
from agentmatch.referrals.event_details import event_text, offer_reason_text
from agentmatch.referrals.matching import Candidate
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralEvent
from agentmatch.referrals.policies import Fair, Nearest, Record, Responsive, active_policy
from agentmatch.referrals.services import end_unmatched, offer_next
from agentmatch.testing import make_agent, make_operator, make_referral

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CLOSE, MIDDLE, EDGE, OUTSIDE = "53715", "53713", "53711", "53590"


def agent(zip_code: str, *, last_offered: timedelta | None = None) -> Agent:
    made = make_agent(zip_code=zip_code, licensed=["WI"], now=NOW - timedelta(days=30))
    if last_offered is not None:
        Agent.objects.filter(pk=made.pk).update(last_offered_at=NOW - last_offered)
    return made


def past_referrals(count: int) -> list[Referral]:
    """Ended referrals to hang an answer history on (made before any agent exists)."""
    made = []
    for n in range(count):
        at = NOW - timedelta(days=2, hours=n)
        referral = make_referral(now=at)
        with transaction.atomic():
            end_unmatched(referral=referral, now=at + timedelta(minutes=1), code="max_wait")
        made.append(referral)
    return made


def history(agent: Agent, referrals: list[Referral], answers: list[float | None]) -> None:
    """One settled offer per entry: seconds to answer (a rejection), or None (expired)."""
    for referral, seconds in zip(referrals, answers, strict=False):
        offered = referral.created_at + timedelta(minutes=5)
        Offer.objects.create(
            referral=referral,
            agent=agent,
            status=OfferStatus.EXPIRED if seconds is None else OfferStatus.REJECTED,
            position=1,
            rank=1,
            distance_miles=1.0,
            qualified_agents=1,
            reason="",
            offered_at=offered,
            expires_at=offered + timedelta(minutes=15),
            responded_at=offered + timedelta(seconds=900 if seconds is None else seconds),
        )


def busy(agent: Agent, referral: Referral) -> None:
    """A pending offer: the agent is at the pending limit (1) and cannot take another."""
    Offer.objects.create(
        referral=referral,
        agent=agent,
        position=9,
        rank=1,
        distance_miles=1.0,
        qualified_agents=1,
        reason="",
        offered_at=NOW - timedelta(minutes=1),
        expires_at=NOW + timedelta(minutes=14),
    )


def route(policy: object = None) -> Offer:
    """A new request from 53703 at NOW, routed by `policy` (None: ROUTING_POLICY)."""
    if policy is None:
        referral = make_referral(now=NOW)
    else:
        # Made where nobody is routed (Phoenix: it waits), then moved next to the agents
        # and routed the way the lab does, with a policy of its own.
        referral = make_referral(zip_code="85004", now=NOW)
        madison = lookup_zip("53703")
        assert madison is not None
        Referral.objects.filter(pk=referral.pk).update(
            zip_code="53703",
            city=madison.city,
            state="WI",
            latitude=madison.latitude,
            longitude=madison.longitude,
        )
        referral.refresh_from_db()
        with transaction.atomic():
            offer_next(referral=referral, now=NOW, policy=policy)  # type: ignore[arg-type]
    return Offer.objects.get(referral=referral, status=OfferStatus.PENDING)


def offered_event(offer: Offer) -> ReferralEvent:
    return ReferralEvent.objects.get(offer=offer, kind="offered")


# --- nearest (the default) ------------------------------------------------------------


def test_the_default_policy_is_nearest_and_the_closest_gets_the_offer(plan_year):
    assert django_settings.ROUTING_POLICY == "nearest"
    assert isinstance(active_policy(), Nearest)
    close = agent(CLOSE, last_offered=timedelta(minutes=5))
    agent(MIDDLE, last_offered=timedelta(days=3))
    agent(EDGE)
    offer = route()
    assert offer.agent == close
    event = offered_event(offer)
    assert event.code == "offered"
    assert offer.explanation["policy"] == "nearest"
    assert offer.explanation["policy_params"] == {}


# --- fair -----------------------------------------------------------------------------


def test_fair_offers_the_never_offered_agent_of_the_band_first(plan_year, settings):
    settings.ROUTING_POLICY = "fair"
    agent(CLOSE, last_offered=timedelta(hours=1))
    agent(MIDDLE, last_offered=timedelta(hours=2))
    edge = agent(EDGE)
    offer = route()
    assert offer.agent == edge
    event = offered_event(offer)
    assert event.code == "offered_fair"
    assert event.params == {
        "position": 1,
        "npn": edge.npn,
        "rank": 3,
        "distance_miles": 4.5,
        "band_agents": 3,
        "band_miles": 5.0,
        "closest_miles": 1.2,
    }
    assert offer.explanation["policy"] == "fair"


def test_fair_offers_the_least_recently_offered_within_the_band(plan_year):
    agent(CLOSE, last_offered=timedelta(hours=1))
    middle = agent(MIDDLE, last_offered=timedelta(hours=3))
    agent(EDGE, last_offered=timedelta(hours=2))
    # Outside the band: never offered, yet not before those inside it.
    agent(OUTSIDE)
    assert route(Fair()).agent == middle


def test_the_band_is_measured_from_the_closest_agent_free_now(plan_year):
    holds = past_referrals(2)
    busy(agent(CLOSE), holds[0])
    busy(agent(MIDDLE), holds[1])
    edge = agent(EDGE, last_offered=timedelta(minutes=1))
    # 11.1 miles: beyond max(4.5 + 5, 4.5 x 1.5) = 9.5 from EDGE, the closest free agent.
    agent(OUTSIDE)
    offer = route("fair")
    assert offer.agent == edge
    assert offered_event(offer).params["band_agents"] == 1
    assert offered_event(offer).params["closest_miles"] == 4.5


def candidate(agent_id: int, miles: float, last: timedelta | None) -> Candidate:
    return Candidate(
        agent_id=agent_id,
        rank=agent_id,
        distance_miles=miles,
        last_offered_at=None if last is None else NOW - last,
        availability_changes_at=None,
        qualified_agents=4,
    )


def test_fair_orders_the_band_by_last_offer_then_the_rest_by_distance():
    candidates = [
        candidate(1, 1.0, timedelta(hours=1)),
        candidate(2, 3.0, None),
        candidate(3, 6.0, timedelta(hours=2)),
        candidate(4, 6.5, None),  # beyond 1 + 5 miles
        candidate(5, 9.0, None),
    ]
    chosen = Fair().order(None, candidates, NOW)  # type: ignore[arg-type]
    assert [c.candidate.agent_id for c in chosen] == [2, 3, 1, 4, 5]
    assert [c.code for c in chosen] == ["offered_fair"] * 3 + ["offered"] * 2


def test_a_wider_ratio_widens_the_band(plan_year):
    agent(CLOSE, last_offered=timedelta(hours=1))
    outside = agent(OUTSIDE)
    # 1.2 + 1 mile reaches 2.2; 1.2 x 10 reaches 12, past OUTSIDE's 11.1.
    assert route(Fair(band_miles=1, band_ratio=10)).agent == outside


# --- responsive -----------------------------------------------------------------------


def test_the_answer_score_formula():
    window = 900.0
    assert Record(settled=0, answered=0, mean_answer_seconds=None).score(window) == 0.375
    assert Record(settled=10, answered=10, mean_answer_seconds=0).score(window) == 11 / 12
    lapsed = Record(settled=10, answered=0, mean_answer_seconds=None)
    assert lapsed.score(window) == pytest.approx(1 / 12 * 0.75)


def test_responsive_offers_the_agent_who_answers_fast_first(plan_year, settings):
    settings.ROUTING_POLICY = "responsive"
    past = past_referrals(3)
    close = agent(CLOSE)
    middle = agent(MIDDLE, last_offered=timedelta(days=1))
    agent(EDGE)  # new: no history, a new agent's score
    history(close, past, [None, None, None])
    history(middle, past, [60, 60, 60])
    offer = route()
    assert offer.agent == middle
    event = offered_event(offer)
    assert event.code == "offered_responsive"
    # (3 + 1) / (3 + 2) x (1 - 60 / 1800) = 0.77
    assert event.params == {
        "position": 1,
        "npn": middle.npn,
        "rank": 2,
        "distance_miles": 2.9,
        "band_agents": 3,
        "band_miles": 5.0,
        "closest_miles": 1.2,
        "score": 0.77,
        "answered": 3,
        "settled": 3,
    }


def test_responsive_still_offers_an_agent_who_never_answers_when_the_band_is_busy(plan_year):
    past = past_referrals(5)
    close = agent(CLOSE)
    middle = agent(MIDDLE)
    edge = agent(EDGE)
    history(close, past[:3], [None, None, None])
    busy(middle, past[3])
    busy(edge, past[4])
    offer = route(Responsive())
    assert offer.agent == close
    assert offered_event(offer).params["score"] == 0.15  # 1/5 x 0.75


def test_responsive_forgets_offers_older_than_its_days(plan_year):
    past = past_referrals(3)
    close = agent(CLOSE)
    middle = agent(MIDDLE)
    history(close, past, [None, None, None])
    history(middle, past, [None])
    # Two days ago is older than a 1-day memory: both score as new agents, the closer wins.
    assert route(Responsive(days=1)).agent == close


def test_responsive_counts_only_the_last_offers(plan_year):
    past = past_referrals(4)
    close = agent(CLOSE)
    middle = agent(MIDDLE)
    # Newest first: close answered the latest offer and missed three before it.
    history(close, past, [30, None, None, None])
    history(middle, past[:1], [600])
    # Counting the last offer only: close 2/3 x 0.98, middle 2/3 x 0.67.
    assert route(Responsive(offers=1)).agent == close
    # Counting all four: close 2/6 x 0.98 = 0.33, middle 0.44.
    assert route(Responsive(offers=4)).agent == middle


# --- the reason, in the reader's language ---------------------------------------------


def test_the_policys_reason_reads_in_english_and_in_spanish(plan_year):
    agent(CLOSE, last_offered=timedelta(hours=1))
    agent(MIDDLE, last_offered=timedelta(hours=2))
    edge = agent(EDGE)
    offer = route("fair")
    event = offered_event(offer)
    with translation.override("en"):
        assert event_text(event) == (
            f"offer 1 to {edge.npn}, 4.5 mi: least recently offered of 3 agents within 5 mi "
            "of the closest (1.2 mi)"
        )
        assert offer_reason_text(offer)[0].startswith(
            "Least recently offered of 3 qualified agents within 5 miles of the closest "
            "(1.2 miles away); this one is 4.5 miles away: routed for WI, speaks English"
        )
    with translation.override("es"):
        assert event_text(event) == (
            f"oferta 1 a {edge.npn}, 4,5 millas: quien lleva más tiempo sin ofertas de 3 "
            "agentes a 5 millas o menos del más cercano (1,2 millas)"
        )
        assert offer_reason_text(offer)[0].startswith(
            "Quien lleva más tiempo sin ofertas de 3 agentes calificados a 5 millas o menos"
        )
    assert offer.reason.startswith("Least recently offered of 3 qualified agents")


# --- the setting ----------------------------------------------------------------------


def test_an_unknown_routing_policy_stops_the_start(tmp_path):
    env = {"ROUTING_POLICY": "random", "PYTHONPATH": str(django_settings.BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", "import agentmatch.settings"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ROUTING_POLICY='random': expected one of nearest, fair, responsive" in result.stderr


def test_an_unknown_policy_name_per_call_is_refused():
    with pytest.raises(ValueError, match="unknown routing policy"):
        active_policy("closest")


# --- operators see it -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "english", "spanish"),
    [
        ("nearest", "Routing policy: nearest (Help On Demand", "Política de asignación: la más"),
        ("fair", "Routing policy: fair (the least", "Política de asignación: equitativa"),
        ("responsive", "Routing policy: responsive (", "Política de asignación: por respuesta"),
    ],
)
def test_the_live_queue_names_the_active_policy(plan_year, settings, policy, english, spanish):
    settings.ROUTING_POLICY = policy
    client = Client()
    client.force_login(make_operator())
    page = client.get(reverse("operations:queue")).content.decode()
    assert english in page.replace("&#x27;", "'")
    # The request activates Spanish in this thread: put the language back after it.
    with translation.override(translation.get_language()):
        page = client.get(reverse("operations:queue"), headers={"accept-language": "es"})
    assert spanish in page.content.decode()


@pytest.mark.parametrize(
    ("adapts", "english"),
    [
        (False, "Each offer lasts 15 minutes."),
        (True, "Each offer lasts up to 15 minutes, less when many requests wait for few agents."),
    ],
)
def test_the_live_queue_says_how_long_offers_last(plan_year, settings, adapts, english):
    settings.ROUTING_ADAPTIVE_WINDOW = adapts
    client = Client()
    client.force_login(make_operator())
    assert english in client.get(reverse("operations:queue")).content.decode()
