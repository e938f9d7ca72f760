"""Choosing agents for a referral: who qualifies now, closest first.

Qualified means: routed for the consumer's state this plan year (eligible, display option
and state preferences allow it: see eligibility/rules.py), speaks the consumer's language,
available now, never offered this referral before, and holding fewer pending offers than
the per-agent limit. Order: great-circle distance between ZIP centroids, then whoever has
waited longest since their last offer.

Speed (see docs/benchmarks.md): with thousands of qualified agents in a state, ranking them
all costs tens of milliseconds. So the qualified count stops at QUALIFIED_COUNT_CAP, and
when there are more than that, the ranking first looks inside a latitude/longitude box
around the consumer (an indexed range scan), widening it until the box provably holds the
closest `limit` agents, and ranks the whole state only as a last resort. The result is the
same as ranking everyone: only the work differs.
"""

import math
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
from agentmatch.eligibility.models import RoutingState
from agentmatch.referrals.models import Offer, OfferStatus, Referral

# Counting stops here: an exact count of thousands of agents costs more than the routing.
QUALIFIED_COUNT_CAP = 100
# Boxes tried (half-width in miles) before ranking the whole state, when it is crowded.
SEARCH_RADII_MILES = (5.0, 20.0, 80.0, 320.0)


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    rank: int
    distance_miles: float
    last_offered_at: datetime | None
    availability_changes_at: datetime | None
    qualified_agents: int
    # True when there were more than qualified_agents (== QUALIFIED_COUNT_CAP) qualified.
    qualified_more: bool = False


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
    """qualified_agents() as hand-written SQL: the ORM spends longer building this query
    than the database spends running it. test_matching_scale.py holds the two together."""
    agent, offer = Agent._meta.db_table, Offer._meta.db_table
    limit = pending_offer_limit()
    pending = f"SELECT {'1' if limit == 1 else 'COUNT(*)'} FROM {offer} p "
    pending += "WHERE p.agent_id = a.id AND p.status = %(pending)s"
    # Spelled the way the partial index agent_available_location is, so SQLite can use it.
    available = "a.is_available = 1" if connection.vendor == "sqlite" else "a.is_available"
    sql = f"""
        FROM {agent} a
        WHERE {available}
          AND EXISTS (SELECT 1 FROM {RoutingState._meta.db_table} r
                      WHERE r.agent_id = a.id AND r.state = %(state)s)
          AND EXISTS (SELECT 1 FROM {AgentLanguage._meta.db_table} l
                      WHERE l.agent_id = a.id AND l.language = %(language)s)
          AND NOT EXISTS (SELECT 1 FROM {offer} o
                          WHERE o.agent_id = a.id AND o.referral_id = %(referral)s)
          AND {f"NOT EXISTS ({pending})" if limit == 1 else f"({pending}) < %(limit)s"}"""
    params = {
        "state": referral.state,
        "language": referral.language,
        "referral": referral.pk,
        "pending": OfferStatus.PENDING.value,
        "limit": limit,
        "cap": QUALIFIED_COUNT_CAP + 1,
        "lat": referral.latitude,
        "lon": referral.longitude,
        "cos_lat": math.cos(math.radians(referral.latitude)),
        "diameter": 2 * EARTH_RADIUS_MILES,
    }
    return sql, params


# The same arithmetic as distance_expression(), so distances match to the last bit.
_DISTANCE_SQL = """%(diameter)s * ASIN(SQRT(
    POWER(SIN(RADIANS(a.latitude - %(lat)s) / 2), 2)
    + %(cos_lat)s * COS(RADIANS(a.latitude)) * POWER(SIN(RADIANS(a.longitude - %(lon)s) / 2), 2)
))"""


def _ranked(
    referral: Referral, limit: int, box: dict[str, float] | None
) -> tuple[list[tuple[Any, ...]], int | None]:
    """The closest `limit` qualified agents (in `box` if given) and the capped count."""
    qualified, params = _qualified_sql(referral)
    where = ""
    if box:
        ops = {"gte": ">=", "lte": "<="}
        for key, value in box.items():
            column, op = key.split("__")
            where += f" AND a.{column} {ops[op]} %({key})s"
            params[key] = value
    params["rows"] = limit
    sql = f"""
        SELECT a.id, {_DISTANCE_SQL}, a.last_offered_at, a.availability_changes_at,
               (SELECT COUNT(*) FROM (SELECT 1 {qualified} LIMIT %(cap)s) c)
        {qualified}{where}
        ORDER BY 2 ASC NULLS LAST, a.last_offered_at ASC NULLS FIRST, a.id
        LIMIT %(rows)s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(pk, distance, _aware(last), _aware(due)) for pk, distance, last, due, _ in rows], (
        rows[0][4] if rows else None
    )


def _aware(value: datetime | None) -> datetime | None:
    # Raw SQL skips the ORM's converters: SQLite hands back naive UTC datetimes.
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, UTC)


def _count(referral: Referral) -> int:
    qualified, params = _qualified_sql(referral)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 {qualified} LIMIT %(cap)s) c", params)
        return int(cursor.fetchone()[0])


def find_candidates(*, referral: Referral, limit: int = 5) -> list[Candidate]:
    """The closest `limit` qualified agents, in routing order, each with the (capped) count.

    Crowded states: try a small box first (one query settles most referrals), widen it
    while it cannot prove it holds the closest `limit`, then rank the whole state.
    """
    rows: list[tuple[Any, ...]] | None = None
    count: int | None = None
    for miles in SEARCH_RADII_MILES:
        box = bounding_box(referral.latitude, referral.longitude, miles)
        if box is None:
            break
        found, found_count = _ranked(referral, limit, box)
        # Everyone outside the box is more than `miles` away: if the last of `limit`
        # found is nearer than that (with room for rounding), nobody outside can beat
        # or tie any of them, so these are exactly the closest `limit`.
        if len(found) == limit and found[-1][1] <= miles * (1 - 1e-9):
            rows, count = found, found_count
            break
        if count is None:
            count = found_count if found_count is not None else _count(referral)
        if count <= QUALIFIED_COUNT_CAP:
            break  # nobody at all, or few enough to rank them all at once
    if rows is None:
        if count == 0:
            return []
        rows, count = _ranked(referral, limit, None)
    if not rows or count is None:
        return []
    more = count > QUALIFIED_COUNT_CAP
    return [
        Candidate(
            agent_id=pk,
            rank=rank,
            distance_miles=float(distance),
            last_offered_at=last_offered_at,
            availability_changes_at=changes_at,
            qualified_agents=min(count, QUALIFIED_COUNT_CAP),
            qualified_more=more,
        )
        for rank, (pk, distance, last_offered_at, changes_at) in enumerate(rows, 1)
    ]
