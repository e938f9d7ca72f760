"""The spatial index finds exactly whom ranking every qualified agent would, in order.

referrals/nearest/ searches a GiST index nearest first on PostgreSQL and an R*Tree in
widening boxes on SQLite; both must give the brute-force answer (every qualified agent
sorted by great-circle distance, then wait, then id) for any population: ties at one
ZIP centroid, agents across the antimeridian (the Aleutians) and near the pole,
unavailable agents, stale slots, other states and languages.
"""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from agentmatch.agents.models import Agent, AgentLanguage, AvailabilitySwitch
from agentmatch.core.geo import distance_miles
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.states import STATE_NAMES
from agentmatch.eligibility.models import RoutingSlot, RoutingState
from agentmatch.eligibility.routing_table import rebuild_slots
from agentmatch.referrals import matching
from agentmatch.referrals.models import Offer, Referral
from agentmatch.referrals.nearest import postgresql
from agentmatch.referrals.nearest.sql import QUALIFIED_COUNT_CAP, fetch_rows
from agentmatch.referrals.tests.stale_statistics import (
    a_past_analysed_with_nothing_live,
    offers_pending_elsewhere,
    plan_of,
    statements_run,
)
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

# Where agents and consumers are placed: (latitude, longitude) with room to scatter.
ANCHORAGE = (61.2176, -149.8997)
ADAK = (51.88, -176.658)  # west of it the Aleutians cross longitude 180
ATTU = (52.93, 172.9)  # east longitude, yet Alaska
UTQIAGVIK = (71.29, -156.79)
NEAR_POLE = (89.6, 40.0)
HONOLULU = (21.3069, -157.8583)
HILO = (19.7074, -155.09)
PLACES = (ANCHORAGE, ADAK, ATTU, UTQIAGVIK, NEAR_POLE, HONOLULU, HILO)


def place(agent: Agent, latitude: float, longitude: float) -> None:
    Agent.objects.filter(pk=agent.pk).update(latitude=latitude, longitude=longitude)
    rebuild_slots(agent_ids=[agent.pk])  # as every real change of location does


Point = tuple[float, float]


def scattered(rng: random.Random, where: Point, degrees: float) -> Point:
    latitude = max(-90.0, min(90.0, where[0] + rng.uniform(-degrees, degrees)))
    longitude = (where[1] + rng.uniform(-degrees, degrees) + 540) % 360 - 180
    return latitude, longitude


def consumer_at(latitude: float, longitude: float, *, state: str, language: str) -> Referral:
    """A new referral at exactly this point (not routed yet: the search is under test)."""
    return Referral.objects.create(
        status="new",
        status_token_hash="x",
        plan_year=2026,
        first_name="Ana",
        last_name="Diaz",
        phone="+16085550100",
        zip_code="99501",
        city="Anchorage",
        state=state,
        latitude=latitude,
        longitude=longitude,
        language=language,
        consent_given_at=timezone.now(),
        created_at=timezone.now(),
    )


def rank_everyone(referral: Referral, limit: int) -> list[tuple[int, float]]:
    """The plain definition: every qualified agent, sorted by distance, then wait, then id."""
    rows = (
        matching.qualified_agents(referral)
        .annotate(distance=matching.distance_expression(referral.latitude, referral.longitude))
        .order_by("distance", F("last_offered_at").asc(nulls_first=True), "pk")
        .values_list("pk", "distance")[:limit]
    )
    return list(rows)


@pytest.fixture(params=[16, 2027], ids=lambda seed: f"seed{seed}")
def alaska_and_hawaii(plan_year, request):  # type: ignore[no-untyped-def]
    """Agents around every place, some sharing a ZIP centroid, some unavailable."""
    rng = random.Random(request.param)
    now = timezone.now()
    for n in range(48):
        where = PLACES[n % len(PLACES)]
        agent = make_agent(
            zip_code="99501",
            licensed=rng.choice([["AK"], ["AK", "HI"], ["HI"], ["AK", "WA"]]),
            languages=rng.choice([["en"], ["es"], ["en", "es"]]),
            switch=AvailabilitySwitch.OFF if n % 11 == 5 else AvailabilitySwitch.ON,
        )
        # Every fourth agent shares the place's exact point: ties, broken by the wait.
        point = where if n % 4 == 0 else scattered(rng, where, rng.choice([0.05, 0.5, 4.0]))
        place(agent, *point)
        if n % 3 == 0:
            waited = timedelta(minutes=rng.choice([5, 60, 600]))
            Agent.objects.filter(pk=agent.pk).update(last_offered_at=now - waited)
    # A stale slot: the agent went unavailable and the index was not told.
    stale = Agent.objects.filter(is_available=True).order_by("pk")[3]
    Agent.objects.filter(pk=stale.pk).update(is_available=False)
    return rng


@pytest.mark.parametrize("sparse", [0, 10_000], ids=["boxes", "whole-state"])
def test_nearest_agents_are_exactly_the_brute_force_ones_in_the_same_order(
    alaska_and_hawaii, monkeypatch, sparse
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(matching, "SPARSE_SLOTS", sparse)
    monkeypatch.setattr(matching, "_density_read_at", -1e9)  # read the counts afresh
    rng = alaska_and_hawaii
    consumers = [*PLACES, (52.0, 179.99), (52.0, -179.99), (90.0, 0.0)]
    consumers += [scattered(rng, rng.choice(PLACES), 2.0) for _ in range(4)]
    checked = 0
    for latitude, longitude in consumers:
        for state in ("AK", "HI"):
            for language in ("en", "es"):
                referral = consumer_at(latitude, longitude, state=state, language=language)
                for limit in (1, 5, 20, 50):
                    expected = rank_everyone(referral, limit)
                    found = matching.find_candidates(referral=referral, limit=limit)
                    assert [(c.agent_id, c.distance_miles) for c in found] == expected
                    assert [c.rank for c in found] == list(range(1, len(found) + 1))
                    checked += len(found)
                referral.delete()
    assert checked > 1000


def test_qualified_count_is_taken_over_the_box_that_holds_the_chosen_agents_up_to_the_cap(
    alaska_and_hawaii, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(matching, "SPARSE_SLOTS", 0)
    for latitude, longitude in (ANCHORAGE, ADAK, HONOLULU):
        for limit in (1, 5):
            referral = consumer_at(latitude, longitude, state="AK", language="en")
            found = matching.find_candidates(referral=referral, limit=limit)
            radius = found[0].search_radius_miles
            everyone = matching.qualified_agents(referral)
            if radius is None:
                assert len(found) < limit or found[-1].distance_miles > 640 * (1 - 1e-9)
                in_box = everyone
            else:
                smaller = [m for m in matching.SEARCH_RADII_MILES if m < radius]
                assert found[-1].distance_miles <= radius
                assert all(found[-1].distance_miles > m * (1 - 1e-9) for m in smaller)
                box = matching.bounding_box(latitude, longitude, radius)
                in_box = everyone.filter(**(box or {}))
            # Counted up to the cap: past it, the record says "at least" (test_routing_statements).
            expected = min(in_box.count(), QUALIFIED_COUNT_CAP)
            assert {c.qualified_agents for c in found} == {expected}
            referral.delete()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the R*Tree is SQLite's")
def test_the_rtree_holds_exactly_the_available_slots_with_a_place(alaska_and_hawaii):  # type: ignore[no-untyped-def]
    def in_rtree() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM eligibility_routingslot_rtree")
            return {pk for (pk,) in cursor.fetchall()}

    def indexed() -> set[int]:
        slots = RoutingSlot.objects.filter(is_available=True, latitude__isnull=False)
        return set(slots.values_list("pk", flat=True))

    assert in_rtree() == indexed() and indexed()
    slot = RoutingSlot.objects.filter(is_available=True).first()
    assert slot is not None
    RoutingSlot.objects.filter(pk=slot.pk).update(is_available=False)
    assert slot.pk not in in_rtree()
    RoutingSlot.objects.filter(pk=slot.pk).update(is_available=True, latitude=None)
    assert slot.pk not in in_rtree()
    RoutingSlot.objects.filter(pk=slot.pk).update(latitude=60.0)
    assert in_rtree() == indexed()
    RoutingSlot.objects.filter(agent_id=slot.agent_id).delete()
    assert in_rtree() == indexed()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [RoutingSlot._meta.db_table],
        )
        assert len(cursor.fetchall()) == 3  # a table rebuild by a migration drops them


def agents_in_wisconsin(points: list[Point]) -> None:
    """Available English-speaking agents routed for WI at these points, made in bulk (the
    routing index's rows written directly, as rebuild_slots would)."""
    agents = Agent.objects.bulk_create(
        Agent(
            npn=str(30_000_000 + n),
            npn_key=str(30_000_000 + n),
            first_name="Many",
            last_name="Agents",
            latitude=latitude,
            longitude=longitude,
            is_available=True,
        )
        for n, (latitude, longitude) in enumerate(points)
    )
    AgentLanguage.objects.bulk_create(AgentLanguage(agent=a, language="en") for a in agents)
    states = RoutingState.objects.bulk_create(RoutingState(agent=a, state="WI") for a in agents)
    RoutingSlot.objects.bulk_create(
        RoutingSlot(
            routing_state=routed,
            agent=agent,
            state="WI",
            language="en",
            latitude=agent.latitude,
            longitude=agent.longitude,
            is_available=True,
        )
        for routed, agent in zip(states, agents, strict=True)
    )


MADISON, MILWAUKEE = (43.07, -89.4), (43.04, -87.91)


def test_the_count_recorded_is_the_brute_force_count_in_the_settling_box(plan_year, monkeypatch):  # type: ignore[no-untyped-def]
    """Crowded, thin and empty neighbourhoods: on PostgreSQL the count is read off the
    nearest agents found where they settle it, and counted in SQL where they cannot."""
    rng = random.Random(11)
    points = [scattered(rng, MADISON, rng.choice([0.02, 0.1, 0.3])) for _ in range(150)]
    points += [scattered(rng, MILWAUKEE, rng.choice([0.05, 0.4])) for _ in range(40)]
    points += [(rng.uniform(42.5, 47.0), rng.uniform(-92.9, -86.8)) for _ in range(60)]
    agents_in_wisconsin(points)
    counted_in_sql = []
    count_qualified = postgresql.count_qualified

    def counting(referral, box):  # type: ignore[no-untyped-def]
        counted_in_sql.append(box)
        return count_qualified(referral, box)

    monkeypatch.setattr(postgresql, "count_qualified", counting)
    consumers = [MADISON, MILWAUKEE, (45.5, -89.7), (46.7, -92.1), (44.0, -88.5)]
    consumers += [(rng.uniform(42.5, 47.0), rng.uniform(-92.9, -86.8)) for _ in range(25)]
    for sparse in (0, 10_000):
        monkeypatch.setattr(matching, "SPARSE_SLOTS", sparse)
        monkeypatch.setattr(matching, "_density_read_at", -1e9)
        for latitude, longitude in consumers:
            referral = consumer_at(latitude, longitude, state="WI", language="en")
            for limit in (1, 5):
                found = matching.find_candidates(referral=referral, limit=limit)
                radius = found[0].search_radius_miles
                box = None if radius is None else matching.bounding_box(latitude, longitude, radius)
                in_box = matching.qualified_agents(referral).filter(**(box or {}))
                expected = min(in_box.count(), QUALIFIED_COUNT_CAP)
                assert {c.qualified_agents for c in found} == {expected}, (latitude, longitude)
            referral.delete()
    if connection.vendor == "postgresql":
        searches = 2 * len(consumers) * 2
        assert 0 < len(counted_in_sql) < searches / 4, len(counted_in_sql)


def test_no_point_of_a_search_box_lies_beyond_its_reach() -> None:
    """box_reach_miles bounds the distance to anywhere in the box: what lets the count be
    read off the agents found when the last of them lies further."""
    rng = random.Random(3)
    for _ in range(300):
        consumer = (rng.uniform(-80, 80), rng.uniform(-179, 179))
        miles = rng.choice([10.0, 20.0, 40.0, 80.0, 160.0, 640.0])
        box = matching.bounding_box(*consumer, miles)
        reach = postgresql.box_reach_miles(consumer, miles, box)
        if reach is None:
            assert box is None or "longitude__gte" not in box
            continue
        assert box is not None
        for _ in range(40):
            latitude = rng.uniform(box["latitude__gte"], box["latitude__lte"])
            longitude = rng.choice([box["longitude__gte"], box["longitude__lte"]])
            longitude = rng.choice([longitude, rng.uniform(box["longitude__gte"], longitude)])
            assert distance_miles(*consumer, latitude, longitude) <= reach * (1 + 1e-12)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST index is PostgreSQL's")
def test_postgresql_walks_the_gist_index_nearest_first_without_sorting(plan_year):  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    agents_in_wisconsin([(rng.uniform(42.5, 47.0), rng.uniform(-92.9, -86.8)) for _ in range(5000)])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {RoutingSlot._meta.db_table}")
        cursor.execute(f"ANALYZE {Agent._meta.db_table}")
    referral = consumer_at(43.07, -89.4, state="WI", language="en")
    plans: list[str] = []

    def fetch_and_explain(sql, params):  # type: ignore[no-untyped-def]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(line for (line,) in cursor.fetchall()))
        return fetch_rows(sql, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postgresql, "fetch_rows", fetch_and_explain)
        found = matching.find_candidates(referral=referral, limit=20)
    assert [(c.agent_id, c.distance_miles) for c in found] == rank_everyone(referral, 20)
    plan = plans[0]
    assert "Index Scan using routing_slot_nearest_by_key" in plan, plan
    assert "Order By: (cube(ARRAY[" in plan and "<->" in plan, plan
    assert "Seq Scan" not in plan, plan
    # The index hands out the nearest in order: nothing below the limit sorts. Only the
    # `limit` rows taken (with any tied at the last distance) are put in routing order.
    taken = plan[plan.index("Subquery Scan on nearest") :]
    assert "Sort" not in taken, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GiST keys")
def test_each_state_and_language_has_a_key_of_its_own() -> None:
    """The index is searched by number, not text: two strings sharing a number would let
    one state's or language's slots stand in for another's."""
    rng = random.Random(16)
    alphabet = "ABZaenzñé日本語-1 "
    strings = {*STATE_NAMES, *LANGUAGE_NAMES, "", "a", "é", "ñé", "日本語"}
    strings |= {"".join(rng.choices(alphabet, k=rng.randint(1, 3))) for _ in range(300)}
    with connection.cursor() as cursor:
        keys = []
        for text in strings:
            cursor.execute(
                f"SELECT {postgresql.STATE_KEY_SQL.format(state='%(t)s')},"
                f" {postgresql.LANGUAGE_KEY_SQL.format(language='%(t)s')}",
                {"t": text},
            )
            keys.append(cursor.fetchone())
    # Three characters at most (a state has two): every string its own number.
    assert len({state for state, _ in keys}) == len({text[:2] for text in strings})
    assert len({language for _, language in keys}) == len(strings)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_routing_counts_pending_offers_by_agent_when_statistics_saw_none(plan_year):  # type: ignore[no-untyped-def]
    # Statistics taken while nothing was pending (a quiet night, a new deployment) make
    # the partial indexes on pending offers and open requests look empty; a plan through
    # them reads every pending offer in the system for each candidate (9.5 ms a search
    # with 1,200 pending in the bench, against 0.2 ms by agent).
    rng = random.Random(7)
    agents_in_wisconsin([(rng.uniform(42.5, 47.0), rng.uniform(-92.9, -86.8)) for _ in range(300)])
    a_past_analysed_with_nothing_live()
    waiting = offers_pending_elsewhere(list(Agent.objects.order_by("pk")[:200]), now=timezone.now())
    with statements_run() as statements:
        referral = make_referral(zip_code="53703")
    assert referral.offers.get().agent_id not in {
        o.agent_id for o in Offer.objects.filter(referral__in=waiting)
    }
    # The search and the claim (both read or set the agent's last offer time).
    routing = [(sql, params) for sql, params in statements if "last_offered_at" in sql]
    assert len(routing) == 2, [sql[:80] for sql, _ in statements]
    for sql, params in routing:
        plan = plan_of(sql, params)
        assert "offers_by_agent" in plan, plan
        assert "one_pending_offer_per_referral" not in plan, plan
        assert "one_open_request_per_phone" not in plan, plan
