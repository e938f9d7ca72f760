"""Nearest agents on PostgreSQL: a k-nearest-neighbour scan of a GiST index.

The index `routing_slot_nearest_by_key` (migration eligibility 0007) holds each available
slot's (state key, language key, point) with the point on the unit sphere as a 3-D
`cube`; btree_gist lets the same GiST index take the keys as equality conditions. The
keys are numbers, one per string (the migration says why that holds), because comparing
text ranges in every entry of the index's inner pages cost most of the walk.
`ORDER BY point <-> consumer` walks it nearest first and stops once enough qualified agents
came out, however crowded or empty the neighbourhood: no box to guess, no sort of a
box's agents.

Exact order: `<->` is the straight-line (chord) length through the sphere, 2 sin(d/2) for
a great-circle angle d, which grows with d on [0, pi]: nearest by chord is nearest by
great circle, near the poles and across the antimeridian alike, with no box to get wrong.
The scan takes the agents it needs and every one tied with the last (the same ZIP
centroid); those alone are then sorted by great-circle miles, the wait and the id, as
ranking everyone does. (Rounding could only swap two agents whose distances agree to
about twelve significant digits, well under a millimetre apart.)

It takes QUALIFIED_COUNT_CAP agents even when routing wants fewer, so the count an offer
records (qualified agents in the box that settled the search, up to the cap) can most
often be read off them rather than counted by a second query (count_from_rows says when
it can): planning that count cost about as much as planning the search.

Both extensions ship with PostgreSQL as contrib modules, are trusted (a database owner may
create them, no superuser) and are allowed on managed services (RDS, Cloud SQL, Azure).
earthdistance's ll_to_earth() is not used: it is an SQL function whose body finds cube's
functions through search_path, which ANALYZE, autovacuum and pg_restore do not share;
the index expression below calls only built-in functions and cube's own C function.
"""

import math
from typing import Any

from agentmatch.core.geo import EARTH_RADIUS_MILES
from agentmatch.referrals.models import Referral
from agentmatch.referrals.nearest.sql import (
    DISTANCE_SQL,
    QUALIFIED_COUNT_CAP,
    Ranking,
    as_row,
    bounding_box,
    count_qualified,
    fetch_rows,
    qualified_sql,
    settles,
)

# Spelled exactly as in the index (eligibility migration 0007), so the planner matches it.
SLOT_POINT_SQL = (
    "cube(ARRAY[cos(radians(s.latitude)) * cos(radians(s.longitude)), "
    "cos(radians(s.latitude)) * sin(radians(s.longitude)), sin(radians(s.latitude))])"
)
STATE_KEY_SQL = "(ascii(substr({state}, 1, 1))::int8 * 2097152 + ascii(substr({state}, 2, 1)))"
LANGUAGE_KEY_SQL = (
    "((ascii(substr({language}, 1, 1))::int8 * 2097152 + ascii(substr({language}, 2, 1)))"
    " * 2097152 + ascii(substr({language}, 3, 1)))"
)
# The slot's keys equal to the referral's, computed by the same expressions (so by the
# database, whatever its encoding): the same slots as the state and language themselves.
SLOT_MATCH_SQL = (
    f"{STATE_KEY_SQL.format(state='s.state')} = {STATE_KEY_SQL.format(state='%(state)s')}"
    f" AND {LANGUAGE_KEY_SQL.format(language='s.language')}"
    f" = {LANGUAGE_KEY_SQL.format(language='%(language)s')}"
)


def nearest(*, referral: Referral, limit: int, radii: tuple[float, ...]) -> Ranking:
    latitude, longitude = (math.radians(v) for v in referral.location)
    nearby, params = qualified_sql(referral, slot_match=SLOT_MATCH_SQL)
    # Enough agents to count the search box from (count_from_rows), not only `limit`.
    take = max(limit, QUALIFIED_COUNT_CAP)
    params.update(
        x=math.cos(latitude) * math.cos(longitude),
        y=math.cos(latitude) * math.sin(longitude),
        z=math.sin(latitude),
        rows=take,
    )
    # PostgreSQL walks a GiST index in distance order only when ORDER BY is the distance
    # alone; WITH TIES keeps every agent as close as the last, and the outer query puts
    # them in routing order.
    sql = f"""
        SELECT id, distance, last_offered_at, availability_changes_at, latitude, longitude
        FROM (
            SELECT a.id, {DISTANCE_SQL} AS distance, a.last_offered_at,
                   a.availability_changes_at, s.latitude, s.longitude
            {nearby}
            ORDER BY {SLOT_POINT_SQL} <-> cube(ARRAY[%(x)s, %(y)s, %(z)s]::float8[])
            FETCH FIRST %(rows)s ROWS WITH TIES
        ) nearest
        ORDER BY distance, last_offered_at ASC NULLS FIRST, id"""
    found = fetch_rows(sql, params)
    if not found:
        return Ranking([], 0, None)  # nobody qualifies in the whole state
    rows = [as_row(*row[:4]) for row in found[:limit]]
    # The offer still records how many qualified in the smallest search box that holds
    # these agents (the box the widening search would have settled in), else the state.
    radius = next(
        (
            miles
            for miles in radii
            if bounding_box(*referral.location, miles) is not None and settles(rows, limit, miles)
        ),
        None,
    )
    box = None if radius is None else bounding_box(*referral.location, radius)
    counted = count_from_rows(found, take, referral.location, radius, box)
    if counted is None:
        counted = count_qualified(referral, box)
    return Ranking(rows, counted, radius)


def count_from_rows(
    found: list[tuple[Any, ...]],
    take: int,
    consumer: tuple[float, float],
    radius: float | None,
    box: dict[str, float] | None,
) -> int | None:
    """The capped count of qualified agents in the box (the state when None), read off the
    nearest agents found, or None when they cannot tell (the caller then counts in SQL).

    `found`: every qualified agent up to the `take` nearest (and any tied with the last),
    as (id, miles, ..., latitude, longitude). They settle the count when the box holds the
    cap of them, when the search ran out of agents (fewer than `take`: these are all
    there are), or when everyone not found lies further than any point of the box.
    """
    inside = [row for row in found if in_box(row[4], row[5], box)]
    if len(inside) >= QUALIFIED_COUNT_CAP:
        return QUALIFIED_COUNT_CAP
    if len(found) < take:
        return len(inside)
    reach = box_reach_miles(consumer, radius, box)
    farthest = max(row[1] for row in found)  # nobody not found is nearer than this
    if reach is not None and reach * (1 + 1e-9) + 1e-9 < farthest:
        return len(inside)
    return None


def in_box(latitude: float | None, longitude: float | None, box: dict[str, float] | None) -> bool:
    """sql.box_sql's conditions, in Python: the same comparisons of the same doubles."""
    if box is None:
        return True
    if latitude is None or longitude is None:
        return False
    if not box["latitude__gte"] <= latitude <= box["latitude__lte"]:
        return False
    if "longitude__gte" not in box:
        return True
    return box["longitude__gte"] <= longitude <= box["longitude__lte"]


def box_reach_miles(
    consumer: tuple[float, float], radius: float | None, box: dict[str, float] | None
) -> float | None:
    """At least the great-circle miles from the consumer to the box's farthest point; None
    when the box is the whole state or spans every longitude.

    The haversine of a point's distance is sin²(dφ/2) + cos φ₁ cos φ₂ sin²(dλ/2): in the box,
    dφ is at most the box's half-height (`radius` along a meridian) and dλ its half-width,
    and cos φ₂ at most its value at the box's latitude nearest the equator. Each term at
    its largest bounds the whole (about the corner's distance: 14.2 miles for a 10-mile box).
    """
    if box is None or radius is None or "longitude__gte" not in box:
        return None
    low, high = box["latitude__gte"], box["latitude__lte"]
    widest = 1.0 if low <= 0 <= high else math.cos(math.radians(min(abs(low), abs(high))))
    spread = max(consumer[1] - box["longitude__gte"], box["longitude__lte"] - consumer[1])
    half_height = min(radius / EARTH_RADIUS_MILES, math.pi)
    h = math.sin(half_height / 2) ** 2
    h += math.cos(math.radians(consumer[0])) * widest * math.sin(math.radians(spread) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))
