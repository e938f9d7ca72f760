"""Nearest agents on PostgreSQL: a k-nearest-neighbour scan of a GiST index.

The index `routing_slot_nearest` (migration eligibility 0006) holds each available slot's
(state, language, point) with the point on the unit sphere as a 3-D `cube`; btree_gist
lets the same GiST index take the state and language as equality keys. `ORDER BY point
<-> consumer` walks it nearest first and stops once `limit` qualified agents came out,
however crowded or empty the neighbourhood: no box to guess, no sort of a box's agents.

Exact order: `<->` is the straight-line (chord) length through the sphere, 2 sin(d/2) for
a great-circle angle d, which grows with d on [0, pi]: nearest by chord is nearest by
great circle, near the poles and across the antimeridian alike, with no box to get wrong.
The scan takes `limit` agents and every one tied with the last (the same ZIP centroid);
those alone are then sorted by great-circle miles, the wait and the id, as ranking
everyone does. (Rounding could only swap two agents whose distances agree to about twelve
significant digits, well under a millimetre apart.)

Both extensions ship with PostgreSQL as contrib modules, are trusted (a database owner may
create them, no superuser) and are allowed on managed services (RDS, Cloud SQL, Azure).
earthdistance's ll_to_earth() is not used: it is an SQL function whose body finds cube's
functions through search_path, which ANALYZE, autovacuum and pg_restore do not share;
the index expression below calls only built-in functions and cube's own C function.
"""

import math

from agentmatch.referrals.models import Referral
from agentmatch.referrals.nearest.sql import (
    DISTANCE_SQL,
    Ranking,
    as_row,
    bounding_box,
    capped_count_sql,
    count_qualified,
    fetch_rows,
    qualified_sql,
    settles,
)

# Spelled exactly as in the index (eligibility migration 0006), so the planner matches it.
SLOT_POINT_SQL = (
    "cube(ARRAY[cos(radians(s.latitude)) * cos(radians(s.longitude)), "
    "cos(radians(s.latitude)) * sin(radians(s.longitude)), sin(radians(s.latitude))])"
)


def nearest(*, referral: Referral, limit: int, radii: tuple[float, ...]) -> Ranking:
    latitude, longitude = (math.radians(v) for v in referral.location)
    qualified, params = qualified_sql(referral)
    params.update(
        x=math.cos(latitude) * math.cos(longitude),
        y=math.cos(latitude) * math.sin(longitude),
        z=math.sin(latitude),
        rows=limit,
    )
    # The count for the smallest search box rides along (it is the box that settles the
    # search wherever agents are crowded, where counting costs most), or the state's when
    # there are no boxes to try (a sparse state and language): one round trip instead of
    # two. Uncorrelated, so PostgreSQL runs it once.
    first_box = bounding_box(*referral.location, radii[0]) if radii else None
    along = "NULL"
    if first_box is not None or not radii:
        along = f"({capped_count_sql(qualified, first_box, params)})"
    # PostgreSQL walks a GiST index in distance order only when ORDER BY is the distance
    # alone; WITH TIES keeps every agent as close as the last, and the outer query puts
    # them in routing order.
    sql = f"""
        SELECT id, distance, last_offered_at, availability_changes_at, {along} FROM (
            SELECT a.id, {DISTANCE_SQL} AS distance, a.last_offered_at,
                   a.availability_changes_at
            {qualified}
            ORDER BY {SLOT_POINT_SQL} <-> cube(ARRAY[%(x)s, %(y)s, %(z)s]::float8[])
            FETCH FIRST %(rows)s ROWS WITH TIES
        ) nearest
        ORDER BY distance, last_offered_at ASC NULLS FIRST, id
        LIMIT %(rows)s"""
    found = fetch_rows(sql, params)
    if not found:
        return Ranking([], 0, None)  # nobody qualifies in the whole state
    rows = [as_row(*row[:4]) for row in found]
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
    if not radii or radius == radii[0]:  # the count that rode along is the one to record
        return Ranking(rows, int(found[0][4]), radius)
    box = None if radius is None else bounding_box(*referral.location, radius)
    return Ranking(rows, count_qualified(referral, box), radius)
