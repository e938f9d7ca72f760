"""Choosing agents for a referral: who qualifies now, closest first.

Qualified means: routed for the consumer's state this plan year (eligible, display option
and state preferences allow it: see eligibility/rules.py), speaks the consumer's language,
available now, never offered this referral before, and holding fewer pending offers than
the per-agent limit. Order: great-circle distance between ZIP centroids, then whoever has
waited longest since their last offer.

Speed (see docs/benchmarks.md): ranking every qualified agent of a big state costs tens of
milliseconds. So the search runs over the routing index (eligibility.RoutingSlot: one row
per routed state and language, with location and availability), first inside a small
latitude/longitude box around the consumer, widening it until the box provably holds the
closest `limit` agents, and over the whole state only as a last resort. The result is the
same as ranking everyone: only the work differs. The qualified count recorded with each
offer is the count inside the box that settled the search.
"""

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import ASin, Coalesce, Cos, Power, Radians, Sin, Sqrt
from django.utils import timezone

from agentmatch.agents.models import Agent, AgentLanguage
from agentmatch.core.geo import EARTH_RADIUS_MILES
from agentmatch.eligibility.models import RoutingSlot, RoutingState
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus

# Boxes tried (half-width in miles) before ranking the whole state, when it is crowded.
# Doubling: a miss costs one more query, but the query that settles it ranks a box four
# times the last one's area, not sixteen (a 40-mile box in a city holds a thousand agents).
SEARCH_RADII_MILES = (10.0, 20.0, 40.0, 80.0, 160.0, 640.0)
# Fewer available slots than this for a state and language: rank the whole state at once
# (cheaper than widening a box over and over in search of the few there are).
SPARSE_SLOTS = 400
# How long each process trusts its slot counts; they only choose where the search starts.
DENSITY_SECONDS = 60.0
_density: dict[tuple[str, str], int] = {}
_density_read_at = -DENSITY_SECONDS


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    rank: int
    distance_miles: float
    last_offered_at: datetime | None
    availability_changes_at: datetime | None
    # How many agents qualified in the search box that settled the ranking (a box
    # reaching search_radius_miles north, south, east and west of the consumer; the
    # whole state when None).
    qualified_agents: int
    search_radius_miles: float | None = None


def distance_expression(latitude: float, longitude: float):  # type: ignore[no-untyped-def]
    """Haversine distance in miles from a point to each agent's ZIP centroid, in SQL."""
    dlat = Radians(F("latitude") - Value(latitude))
    dlon = Radians(F("longitude") - Value(longitude))
    a = Power(Sin(dlat / 2), 2) + Value(math.cos(math.radians(latitude))) * Cos(
        Radians(F("latitude"))
    ) * Power(Sin(dlon / 2), 2)
    return Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(a))


def pending_offer_limit() -> int:
    return max(1, settings.MAX_PENDING_OFFERS_PER_AGENT)


def qualified_agents(referral: Referral):  # type: ignore[no-untyped-def]
    routed = RoutingState.objects.filter(agent=OuterRef("pk"), state=referral.state)
    speaks = AgentLanguage.objects.filter(agent=OuterRef("pk"), language=referral.language)
    offered_before = Offer.objects.filter(referral=referral, agent=OuterRef("pk"))
    qs = Agent.objects.filter(Exists(routed), Exists(speaks), is_available=True).exclude(
        Exists(offered_before)
    )
    limit = pending_offer_limit()
    pending = Offer.objects.filter(agent=OuterRef("pk"), status=OfferStatus.PENDING)
    if limit == 1:
        return qs.exclude(Exists(pending))
    counted = pending.order_by().values("agent").annotate(n=Count("pk")).values("n")
    return qs.annotate(pending_offers=Coalesce(Subquery(counted), 0)).filter(
        pending_offers__lt=limit
    )


def bounding_box(latitude: float, longitude: float, miles: float) -> dict[str, float] | None:
    """Filters for a box holding every point within `miles` (great circle) of the point.

    Latitude: a point further than `miles` north or south is further than `miles` away.
    Longitude: a spherical cap of angular radius d around latitude p spans at most
    asin(sin d / cos p) either way, unless it reaches a pole or crosses the antimeridian,
    in which case longitude is not bounded. None: the box would not narrow anything.
    """
    angle = miles / EARTH_RADIUS_MILES
    if angle >= math.pi / 2:
        return None
    box = {
        "latitude__gte": latitude - math.degrees(angle),
        "latitude__lte": latitude + math.degrees(angle),
    }
    if abs(latitude) + math.degrees(angle) >= 90:
        return box
    ratio = math.sin(angle) / math.cos(math.radians(latitude))
    if ratio < 1:
        spread = math.degrees(math.asin(ratio))
        if longitude - spread >= -180 and longitude + spread <= 180:
            box["longitude__gte"] = longitude - spread
            box["longitude__lte"] = longitude + spread
    return box


def _qualified_sql(referral: Referral) -> tuple[str, dict[str, Any]]:
    """qualified_agents() as hand-written SQL over the routing index (RoutingSlot).

    The slot narrows the search to the state and language, only available agents, near
    the consumer; the agent row is still checked, so a slot can only ever narrow. The ORM
    spends longer building this query than the database spends running it;
    test_matching_scale.py holds the two definitions together.
    """
    agent, offer, slot = Agent._meta.db_table, Offer._meta.db_table, RoutingSlot._meta.db_table
    limit = pending_offer_limit()
    pending = f"SELECT {'1' if limit == 1 else 'COUNT(*)'} FROM {offer} p "
    pending += "WHERE p.agent_id = a.id AND p.status = %(pending)s"
    # Spelled the way the partial index routing_slot_available is, so SQLite uses it.
    slot_available = "s.is_available = 1" if connection.vendor == "sqlite" else "s.is_available"
    agent_available = "a.is_available = 1" if connection.vendor == "sqlite" else "a.is_available"
    # A referral that was never offered has nobody to leave out: a simpler plan.
    offered_before = (
        ""
        if referral.status == ReferralStatus.NEW
        else f"""AND NOT EXISTS (SELECT 1 FROM {offer} o
                          WHERE o.agent_id = a.id AND o.referral_id = %(referral)s)"""
    )
    sql = f"""
        FROM {slot} s JOIN {agent} a ON a.id = s.agent_id
        WHERE s.state = %(state)s AND s.language = %(language)s AND {slot_available}
          AND {agent_available}
          {offered_before}
          AND {f"NOT EXISTS ({pending})" if limit == 1 else f"({pending}) < %(limit)s"}"""
    params = {
        "state": referral.state,
        "language": referral.language,
        "referral": referral.pk,
        "pending": OfferStatus.PENDING.value,
        "limit": limit,
        "lat": referral.location[0],
        "lon": referral.location[1],
        "cos_lat": math.cos(math.radians(referral.location[0])),
        "diameter": 2 * EARTH_RADIUS_MILES,
    }
    return sql, params


# The same arithmetic as distance_expression(), so distances match to the last bit.
_DISTANCE_SQL = """%(diameter)s * ASIN(SQRT(
    POWER(SIN(RADIANS(s.latitude - %(lat)s) / 2), 2)
    + %(cos_lat)s * COS(RADIANS(s.latitude)) * POWER(SIN(RADIANS(s.longitude - %(lon)s) / 2), 2)
))"""


def _ranked(
    referral: Referral, limit: int, box: dict[str, float] | None
) -> tuple[list[tuple[Any, ...]], int]:
    """The closest `limit` qualified agents (in `box` if given) and how many qualified
    in the box (in the whole state when None)."""
    qualified, params = _qualified_sql(referral)
    where = ""
    if box:
        ops = {"gte": ">=", "lte": "<="}
        for key, value in box.items():
            column, op = key.split("__")
            where += f" AND s.{column} {ops[op]} %({key})s"
            params[key] = value
    params["rows"] = limit
    # The count covers the whole box (its corners lie a little beyond `miles`): counting
    # only those within the radius made PostgreSQL plan the query 3-4 times slower.
    sql = f"""
        SELECT a.id, {_DISTANCE_SQL}, a.last_offered_at, a.availability_changes_at,
               COUNT(*) OVER ()
        {qualified}{where}
        ORDER BY 2 ASC NULLS LAST, a.last_offered_at ASC NULLS FIRST, a.id
        LIMIT %(rows)s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return (
        [(pk, distance, _aware(last), _aware(due)) for pk, distance, last, due, _ in rows],
        rows[0][4] if rows else 0,
    )


def _aware(value: datetime | None) -> datetime | None:
    # Raw SQL skips the ORM's converters: SQLite hands back naive UTC datetimes.
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, UTC)


def available_slots(state: str, language: str) -> int:
    """Roughly how many available agents take referrals in this state and language."""
    global _density_read_at
    if time.monotonic() - _density_read_at > DENSITY_SECONDS:
        rows = (
            RoutingSlot.objects.filter(is_available=True)
            .values_list("state", "language")
            .annotate(n=Count("pk"))
            .order_by()
        )
        _density.clear()
        _density.update({(state_, language_): n for state_, language_, n in rows})
        _density_read_at = time.monotonic()
    return _density.get((state, language), 0)


def find_candidates(*, referral: Referral, limit: int = 5) -> list[Candidate]:
    """The closest `limit` qualified agents, in routing order.

    Looks in a small box around the consumer first (one indexed query settles most
    referrals) and widens it while it cannot prove it holds the closest `limit`; the
    whole state is the last resort. Each search only touches slots of the referral's
    state and language inside the box, so its cost does not grow with the state.
    """
    rows: list[tuple[Any, ...]] | None = None
    count = 0
    radius: float | None = None
    sparse = available_slots(referral.state, referral.language) < SPARSE_SLOTS
    for miles in () if sparse else SEARCH_RADII_MILES:
        box = bounding_box(*referral.location, miles)
        if box is None:
            break
        found, found_count = _ranked(referral, limit, box)
        # Everyone outside the box is more than `miles` away: if the last of `limit`
        # found is nearer than that (with room for rounding), nobody outside can beat
        # or tie any of them, so these are exactly the closest `limit`.
        if len(found) == limit and found[-1][1] <= miles * (1 - 1e-9):
            rows, count, radius = found, found_count, miles
            break
    if rows is None:
        rows, count = _ranked(referral, limit, None)
    return [
        Candidate(
            agent_id=pk,
            rank=rank,
            distance_miles=float(distance),
            last_offered_at=last_offered_at,
            availability_changes_at=changes_at,
            qualified_agents=count,
            search_radius_miles=radius,
        )
        for rank, (pk, distance, last_offered_at, changes_at) in enumerate(rows, 1)
    ]
