"""Conditions the query planner cannot misread.

Live rows are a sliver of their tables: a few hundred pending offers and open requests
among hundreds of thousands that ended. Statistics sampled while none was live (a quiet
night, a new deployment, a table too big for autovacuum's 10% threshold to come round
soon) say that no row has the status `pending`, so a partial index on pending offers
(`one_pending_offer_per_referral`) or open requests (`one_open_request_per_phone`) looks
empty, and the planner goes in through it, reading every live row for each row of the
other side of a join: with 2,000 offers pending, the worker's claim of due offers took
8 ms instead of 0.3 ms, and hundreds of ms under load (docs/benchmarks.md).

`opaque(value)` writes the value as `(SELECT value)`: an init-plan parameter whose value
the planner does not look at when planning, so no partial index's predicate is proven
from it and the estimate is the column's average (1 / distinct statuses), which leads
to the index on the other columns (`offers_due`, `offers_by_agent`, the primary key).
The same on SQLite, where it changes nothing. Hand-written SQL spells it
`(SELECT %s)` (referrals/claims.py, referrals/nearest/sql.py).
"""

from collections.abc import Iterable

from django.db.models import CharField, Field
from django.db.models.expressions import RawSQL


def opaque(value: str, output_field: Field | None = None) -> RawSQL:
    """`value` as a subquery the planner cannot see into (see the module's docstring)."""
    return RawSQL("(SELECT %s)", [value], output_field=output_field or CharField())


def opaque_each(values: Iterable[str]) -> list[RawSQL]:
    """`opaque` of each value, for an `__in` condition."""
    return [opaque(value) for value in values]
