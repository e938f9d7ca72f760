"""Matching at scale: the bounding-box search must pick exactly whom ranking everyone would.

find_candidates first looks in a small box around the consumer and widens it until the
box provably holds the closest agents; these tests place agents where a careless box
would get it wrong (far away, just outside the box, in its corners).
"""

import math
import random

import pytest
from django.db.models import F
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.core.geo import EARTH_RADIUS_MILES, distance_miles, lookup_zip
from agentmatch.eligibility.routing_table import rebuild_slots
from agentmatch.referrals import matching
from agentmatch.referrals.models import OfferStatus, Referral
from agentmatch.referrals.nearest.sql import QUALIFIED_COUNT_CAP
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _always_search_boxes(monkeypatch):  # type: ignore[no-untyped-def]
    # Test populations are small: without this, every search would rank the whole state.
    monkeypatch.setattr(matching, "SPARSE_SLOTS", 0)


MADISON = lookup_zip("53703")


def move(agent: Agent, north_miles: float, east_miles: float) -> None:
    """Puts the agent `north_miles` north and `east_miles` east of the consumer."""
    lat = MADISON.latitude + math.degrees(north_miles / EARTH_RADIUS_MILES)
    lon = MADISON.longitude + math.degrees(
        east_miles / (EARTH_RADIUS_MILES * math.cos(math.radians(lat)))
    )
    Agent.objects.filter(pk=agent.pk).update(latitude=lat, longitude=lon)
    rebuild_slots(agent_ids=[agent.pk])  # as every real change of location does


def rank_everyone(referral: Referral, limit: int = 5) -> list[tuple[int, float]]:
    """The plain definition: every qualified agent, sorted by distance, then wait, then id."""
    rows = (
        matching.qualified_agents(referral)
        .annotate(distance=matching.distance_expression(referral.latitude, referral.longitude))
        .order_by("distance", F("last_offered_at").asc(nulls_first=True), "pk")
        .values_list("pk", "distance")[:limit]
    )
    return list(rows)


def test_closest_agent_wins_even_when_everyone_is_hundreds_of_miles_away(plan_year):
    farther = make_agent(zip_code="53140", licensed=["WI"])  # Kenosha
    closest = make_agent(zip_code="53202", licensed=["WI"])  # Milwaukee
    referral = make_referral(zip_code="54880")  # Superior, far north-west
    offer = referral.offers.get(status=OfferStatus.PENDING)
    assert offer.agent == closest
    assert offer.distance_miles > 250
    assert farther != closest


def test_agent_just_outside_the_first_box_beats_five_in_its_corners(plan_year):
    # Five agents fill the first box (one query's worth) but sit in its corners, about
    # 1.3 box widths away; one agent just north of the box is closer than all of them.
    first_box = matching.SEARCH_RADII_MILES[0]
    for north, east in ((1, 1), (1, -1), (-1, 1), (-1, -1), (0.95, 0.97)):
        corner = make_agent(zip_code="53703", licensed=["WI"])
        move(corner, 0.97 * north * first_box, 0.97 * east * first_box)
    outside = make_agent(zip_code="53703", licensed=["WI"])
    move(outside, 1.1 * first_box, 0)
    referral = make_referral(zip_code="53703")
    offer = referral.offers.get()
    assert offer.agent == outside
    assert offer.distance_miles == pytest.approx(1.1 * first_box, rel=0.01)


def test_fewer_than_five_nearby_widens_until_it_finds_all_five(plan_year):
    agents = [make_agent(zip_code="53703", licensed=["WI"]) for _ in range(6)]
    for agent, miles in zip(agents, (1, 2, 30, 90, 300, 2), strict=True):
        move(agent, miles, 0)
    Agent.objects.filter(pk=agents[5].pk).update(is_available=False)
    referral = Referral.objects.create(
        status="new",
        status_token_hash="x",
        plan_year=2026,
        first_name="Ana",
        last_name="Diaz",
        phone="+16085550100",
        zip_code="53703",
        city="Madison",
        state="WI",
        latitude=MADISON.latitude,
        longitude=MADISON.longitude,
        language="en",
        consent_given_at=timezone.now(),
        created_at=timezone.now(),
    )
    found = matching.find_candidates(referral=referral, limit=5)
    assert [c.agent_id for c in found] == [a.pk for a in agents[:5]]
    assert [c.agent_id for c in found] == [pk for pk, _ in rank_everyone(referral)]
    assert found[-1].distance_miles == pytest.approx(300, rel=0.01)
    assert found[0].search_radius_miles == matching.SEARCH_RADII_MILES[-1]
    everyone = len(rank_everyone(referral, limit=1000))
    assert found[0].qualified_agents == min(everyone, QUALIFIED_COUNT_CAP)


def test_box_search_agrees_with_ranking_everyone_on_a_random_population(plan_year):
    rng = random.Random(11)
    for _ in range(30):
        agent = make_agent(
            zip_code="53703", licensed=["WI"], languages=rng.choice([["en"], ["es"]])
        )
        move(agent, rng.uniform(-150, 150), rng.uniform(-150, 150))
    for zip_code in ("53703", "54601", "53202", "54880", "54301"):
        for language in ("en", "es"):
            referral = make_referral(zip_code=zip_code, language=language)
            expected = rank_everyone(referral)
            found = matching.find_candidates(referral=referral)
            assert [(c.agent_id, c.distance_miles) for c in found] == expected
            radius = found[0].search_radius_miles if found else None
            in_box = matching.qualified_agents(referral)
            if radius is not None:
                box = matching.bounding_box(referral.latitude, referral.longitude, radius)
                in_box = in_box.filter(**(box or {}))
            expected = min(in_box.count(), QUALIFIED_COUNT_CAP)
            assert all(c.qualified_agents == expected for c in found)


def test_sparse_state_and_language_ranks_the_whole_state_in_one_search(plan_year, monkeypatch):
    monkeypatch.setattr(matching, "SPARSE_SLOTS", 400)
    monkeypatch.setattr(matching, "_density_read_at", -1e9)  # read the counts afresh
    for zip_code in ("53704", "54601", "54880"):
        make_agent(zip_code=zip_code, licensed=["WI"], languages=["ht"])
    referral = make_referral(zip_code="53703", language="ht")
    offer = referral.offers.get()
    assert offer.explanation["search_radius_miles"] is None
    assert " of 3 in WI" in offer.reason
    assert matching.available_slots("WI", "ht") == 3


def test_offer_reason_names_how_many_qualified_and_where(plan_year):
    for zip_code in ("53704", "53711", "53705", "53713", "53714", "53716"):
        make_agent(zip_code=zip_code, licensed=["WI"])
    offer = make_referral(zip_code="53703").offers.get()
    radius = offer.explanation["search_radius_miles"]
    assert radius is not None
    assert f"of {offer.qualified_agents} within a {radius:g}-mile search box" in offer.reason
    assert offer.qualified_agents >= 5


def test_bounding_box_holds_every_point_within_the_radius():
    rng = random.Random(5)
    for _ in range(2000):
        lat, lon = rng.uniform(-70, 70), rng.uniform(-179, 179)
        miles = rng.choice([5, 20, 80, 320, 1500])
        box = matching.bounding_box(lat, lon, miles)
        assert box is not None
        # A random point at most `miles` away (destination-point formula).
        angle, bearing = rng.uniform(0, miles) / EARTH_RADIUS_MILES, rng.uniform(0, 2 * math.pi)
        p1, l1 = math.radians(lat), math.radians(lon)
        p2 = math.asin(
            math.sin(p1) * math.cos(angle) + math.cos(p1) * math.sin(angle) * math.cos(bearing)
        )
        l2 = l1 + math.atan2(
            math.sin(bearing) * math.sin(angle) * math.cos(p1),
            math.cos(angle) - math.sin(p1) * math.sin(p2),
        )
        plat, plon = math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180
        assert distance_miles(lat, lon, plat, plon) <= miles * 1.000001
        assert box["latitude__gte"] <= plat <= box["latitude__lte"]
        if "longitude__gte" in box:
            assert box["longitude__gte"] <= plon <= box["longitude__lte"]


def test_bounding_box_leaves_longitude_open_near_a_pole_or_the_antimeridian():
    assert "longitude__gte" not in matching.bounding_box(89.5, 10, 80)  # type: ignore[operator]
    assert "longitude__gte" not in matching.bounding_box(52, 179.9, 20)  # type: ignore[operator]
    assert "longitude__gte" in matching.bounding_box(52, 170, 20)  # type: ignore[operator]
