"""What both nearest-agent searches share: the qualified-agent SQL over the routing index,
the great-circle distance in SQL, the search boxes and the count recorded with an offer."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.core import prepared_sql
from agentmatch.core.geo import EARTH_RADIUS_MILES
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus

# (agent id, distance in miles, last offered at, availability changes at)
Row = tuple[int, float, datetime | None, datetime | None]

# Ties in distance go to whoever waited longest, then the older agent: the routing order.
ORDER_AFTER_DISTANCE = "a.last_offered_at ASC NULLS FIRST, a.id"

# The same arithmetic as matching.distance_expression(), so distances match to the last bit.
DISTANCE_SQL = """%(diameter)s * ASIN(SQRT(
    POWER(SIN(RADIANS(s.latitude - %(lat)s) / 2), 2)
    + %(cos_lat)s * COS(RADIANS(s.latitude)) * POWER(SIN(RADIANS(s.longitude - %(lon)s) / 2), 2)
))"""


# The qualified count recorded with an offer stops here ("20 or more"): counting every
# agent of a crowded box cost more than the rest of routing together (354 agents in a
# 10-mile box in Houston: 2.4 ms; a whole crowded state: 76 ms; each agent counted costs
# a lookup of its row and its offers, about 10 microseconds), and past a score the exact
# figure tells support staff nothing more.
QUALIFIED_COUNT_CAP = 20


@dataclass(frozen=True)
class Ranking:
    """The closest qualified agents, nearest first, and what the offer records about the
    search: how many qualified inside the box that settled it (the whole state when
    `radius_miles` is None), up to QUALIFIED_COUNT_CAP."""

    rows: list[Row]
    qualified: int
    radius_miles: float | None


def pending_offer_limit() -> int:
    return max(1, settings.MAX_PENDING_OFFERS_PER_AGENT)


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


def settles(rows: list[Row], limit: int, miles: float) -> bool:
    """Whether a box reaching `miles` around the consumer provably holds the closest `limit`.

    Everyone outside the box is more than `miles` away: if the last of `limit` found is
    nearer than that (with room for rounding), nobody outside can beat or tie any of them.
    """
    return len(rows) == limit and rows[-1][1] <= miles * (1 - 1e-9)


def qualified_sql(
    referral: Referral, source: str | None = None, slot_match: str | None = None
) -> tuple[str, dict[str, Any]]:
    """matching.qualified_agents() as hand-written SQL over the routing index (RoutingSlot).

    The slot narrows the search to the state and language, only available agents, near
    the consumer; the agent row is still checked, so a slot can only ever narrow. The ORM
    spends longer building this query than the database spends running it;
    test_matching_scale.py holds the two definitions together. `source` replaces the
    slot table in FROM (it must name the slot `s`), for a spatial index joined to it;
    `slot_match` replaces the condition on the slot's state and language (one that holds
    for exactly the same slots, spelled as a spatial index's keys are).
    """
    agent, offer, slot = Agent._meta.db_table, Offer._meta.db_table, RoutingSlot._meta.db_table
    # The agent's pending offers, counted per agent as a scalar subquery (PostgreSQL never
    # turns one into a join) by offers_by_agent (agent, status). The status is given as
    # `(SELECT ...)`, a value the planner cannot read: given as a constant, it proves that
    # the partial index one_pending_offer_per_referral holds every row wanted, and with
    # statistics taken while no offer was pending (a quiet night, a new deployment, the
    # bench) it judged that index empty and read every pending offer in the system for
    # each candidate: 9.5 ms per search with 1,200 pending instead of 0.2 ms
    # (docs/benchmarks.md, "Plans that outlive their statistics").
    pending = (
        f"SELECT COUNT(*) FROM {offer} p "
        "WHERE p.agent_id = a.id AND p.status = (SELECT %(pending)s)"
    )
    # Spelled the way the partial indexes are (WHERE is_available), so SQLite uses them.
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
        FROM {source or f"{slot} s"} JOIN {agent} a ON a.id = s.agent_id
        WHERE {slot_match or "s.state = %(state)s AND s.language = %(language)s"}
          AND {slot_available}
          AND {agent_available}
          {offered_before}
          AND ({pending}) < %(limit)s"""
    params = {
        "state": referral.state,
        "language": referral.language,
        "referral": referral.pk,
        "pending": OfferStatus.PENDING.value,
        "limit": pending_offer_limit(),
        "lat": referral.location[0],
        "lon": referral.location[1],
        "cos_lat": math.cos(math.radians(referral.location[0])),
        "diameter": 2 * EARTH_RADIUS_MILES,
    }
    return sql, params


def box_sql(box: dict[str, float] | None, params: dict[str, Any]) -> str:
    """The box as conditions on the slot's own latitude and longitude (adds the params)."""
    where = ""
    ops = {"gte": ">=", "lte": "<="}
    for key, value in (box or {}).items():
        column, op = key.split("__")
        where += f" AND s.{column} {ops[op]} %({key})s"
        params[key] = value
    return where


def count_qualified(referral: Referral, box: dict[str, float] | None) -> int:
    """How many agents qualify inside the box (in the whole state when None), counting
    no further than QUALIFIED_COUNT_CAP."""
    qualified, params = qualified_sql(referral)
    sql = capped_count_sql(qualified, box, params)
    with prepared_sql.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def capped_count_sql(qualified: str, box: dict[str, float] | None, params: dict[str, Any]) -> str:
    """The count of qualified agents in the box, stopping at the cap (adds the params)."""
    params["cap"] = QUALIFIED_COUNT_CAP
    return f"SELECT COUNT(*) FROM (SELECT 1 {qualified}{box_sql(box, params)} LIMIT %(cap)s) q"


def fetch_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with prepared_sql.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def aware(value: datetime | None) -> datetime | None:
    # Raw SQL skips the ORM's converters: SQLite hands back naive UTC datetimes.
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, UTC)


def as_row(pk: int, distance: float, last: datetime | None, due: datetime | None) -> Row:
    return (pk, distance, aware(last), aware(due))
