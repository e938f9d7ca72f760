"""Nearest agents on SQLite: widening boxes over an R*Tree.

SQLite's R*Tree module finds what lies in a box but cannot walk nearest first, so the
search looks in a small box around the consumer first and doubles it until the box
provably holds the closest `limit` (sql.settles), ranking only the agents inside it by
great-circle distance: the same answer as ranking everyone, exactly.

The R*Tree `eligibility_routingslot_rtree` (migration eligibility 0006, kept in step with
RoutingSlot by triggers) holds each available slot's latitude, longitude and a number
for its state and language, so one lookup narrows all three. Its 32-bit bounds are
rounded outwards, so it never misses a slot; the slot's own latitude and longitude are
checked again for the exact box.
"""

from typing import Any

from agentmatch.eligibility.models import RoutingSlot
from agentmatch.referrals.models import Referral
from agentmatch.referrals.nearest.sql import (
    DISTANCE_SQL,
    ORDER_AFTER_DISTANCE,
    QUALIFIED_COUNT_CAP,
    Ranking,
    as_row,
    bounding_box,
    box_sql,
    fetch_rows,
    qualified_sql,
    settles,
)

RTREE = f"{RoutingSlot._meta.db_table}_rtree"

# One number per (state, language), as the triggers of migration eligibility 0006 compute
# it: letters in base 27. It only narrows the lookup (the slot's own state and language are
# checked), so a character outside a-z, or the 32-bit rounding, can never lose a slot.
KEY_SQL = """(((((COALESCE(unicode(substr({state}, 1, 1)), 64) - 64) * 27
    + COALESCE(unicode(substr({state}, 2, 1)), 64) - 64) * 27
    + COALESCE(unicode(substr({language}, 1, 1)), 96) - 96) * 27
    + COALESCE(unicode(substr({language}, 2, 1)), 96) - 96) * 27
    + COALESCE(unicode(substr({language}, 3, 1)), 96) - 96)"""


def _ranked(referral: Referral, limit: int, box: dict[str, float] | None) -> tuple[list[Any], int]:
    """The closest `limit` qualified agents in `box` (the whole state when None) and how
    many qualified there."""
    if box is None:
        qualified, params = qualified_sql(referral)
        where = ""
    else:
        # CROSS JOIN: SQLite keeps the R*Tree as the outer loop, slots looked up by id.
        qualified, params = qualified_sql(
            referral, source=f"{RTREE} r CROSS JOIN {RoutingSlot._meta.db_table} s ON s.id = r.id"
        )
        key = KEY_SQL.format(state="%(state)s", language="%(language)s")
        where = f" AND r.min_key <= {key} AND r.max_key >= {key}"
        where += " AND r.max_latitude >= %(latitude__gte)s AND r.min_latitude <= %(latitude__lte)s"
        if "longitude__gte" in box:
            where += " AND r.max_longitude >= %(longitude__gte)s"
            where += " AND r.min_longitude <= %(longitude__lte)s"
        where += box_sql(box, params)
    params["rows"] = limit
    # The count covers the whole box (its corners lie a little beyond `miles`).
    rows = fetch_rows(
        f"""SELECT a.id, {DISTANCE_SQL}, a.last_offered_at, a.availability_changes_at,
                   COUNT(*) OVER ()
            {qualified}{where}
            ORDER BY 2 ASC NULLS LAST, {ORDER_AFTER_DISTANCE}
            LIMIT %(rows)s""",
        params,
    )
    # The box's ranking counts everyone in it anyway; the record stops at the same cap.
    return [as_row(*row[:4]) for row in rows], min(rows[0][4], QUALIFIED_COUNT_CAP) if rows else 0


def nearest(*, referral: Referral, limit: int, radii: tuple[float, ...]) -> Ranking:
    for miles in radii:
        box = bounding_box(*referral.location, miles)
        if box is None:
            break
        rows, count = _ranked(referral, limit, box)
        if settles(rows, limit, miles):
            return Ranking(rows, count, miles)
    rows, count = _ranked(referral, limit, None)
    return Ranking(rows, count, None)
