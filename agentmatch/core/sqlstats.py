"""Percentiles computed by the database: the one place where PostgreSQL and SQLite differ.

PostgreSQL has the ordered-set aggregate `percentile_cont(f) WITHIN GROUP (ORDER BY x)`,
which works on intervals too, so a median of "accepted minus requested" is one aggregate
per group. SQLite has no such aggregate. There the database still does the sorting: a
window numbers each group's values in order (`ROW_NUMBER()` and `COUNT(*)` over the
group), and only the one or two rows around each wanted rank come back; Python then
interpolates between them exactly as `percentile_cont` does (linear, between ranks
`floor(f·(n-1))` and `ceil(f·(n-1))`). At most two rows per group and fraction leave the
database, whatever the period's size, so both answers are the same number.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence
from datetime import timedelta
from typing import Any

from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import RowNumber

# What percentiles() answers per group: fraction -> value (None when the group is empty).
Percentiles = dict[float, timedelta | None]


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an expression (here: a duration)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression: Any, *, fraction: float) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile's fraction is between 0 and 1")
        super().__init__(expression)
        self.extra["fraction"] = repr(float(fraction))


def percentiles(
    queryset: QuerySet[Any],
    *,
    value: Expression,
    fractions: Sequence[float],
    group_by: str | None = None,
) -> dict[Hashable, Percentiles]:
    """For each value of `group_by` (or the single key None), the given percentiles of
    `value` (a duration expression) over the rows of `queryset`.

    Groups with no rows are absent; callers treat a missing group as "no data".
    """
    if connections[queryset.db].vendor == "postgresql":
        return _percentile_cont(queryset, value=value, fractions=fractions, group_by=group_by)
    return _ranked_rows(queryset, value=value, fractions=fractions, group_by=group_by)


def _percentile_cont(
    queryset: QuerySet[Any],
    *,
    value: Expression,
    fractions: Sequence[float],
    group_by: str | None,
) -> dict[Hashable, Percentiles]:
    aggregates = {f"p{i}": PercentileCont(value, fraction=f) for i, f in enumerate(fractions)}
    if group_by is None:
        if not queryset.exists():
            return {}
        row = queryset.aggregate(**aggregates)
        return {None: {f: row[f"p{i}"] for i, f in enumerate(fractions)}}
    rows = queryset.order_by().values(group_by).annotate(**aggregates)
    return {row[group_by]: {f: row[f"p{i}"] for i, f in enumerate(fractions)} for row in rows}


def _ranked_rows(
    queryset: QuerySet[Any],
    *,
    value: Expression,
    fractions: Sequence[float],
    group_by: str | None,
) -> dict[Hashable, Percentiles]:
    partition = [F(group_by)] if group_by else []
    ranked = queryset.order_by().annotate(
        _value=value,
        _rank=Window(RowNumber(), partition_by=partition, order_by=F("_value").asc()),
        _count=Window(Count("pk"), partition_by=partition),
    )
    # A row is needed when its 0-based rank is floor or ceil of f·(n-1), i.e. strictly
    # within one of that position: position < rank < position + 2 for the 1-based rank.
    near = Q()
    for fraction in fractions:
        position = ExpressionWrapper(
            (F("_count") - 1) * Value(float(fraction)), output_field=FloatField()
        )
        near |= Q(_rank__gt=position, _rank__lt=position + 2)
    columns = ([group_by] if group_by else []) + ["_count", "_rank", "_value"]
    by_group: dict[Hashable, dict[int, timedelta]] = defaultdict(dict)
    counts: dict[Hashable, int] = {}
    for row in ranked.filter(near).values_list(*columns):
        key = row[0] if group_by else None
        count, rank, duration = row[-3:]
        by_group[key][rank - 1] = duration
        counts[key] = count
    answer: dict[Hashable, Percentiles] = {}
    for key, values in by_group.items():
        answer[key] = {f: _interpolate(values, counts[key], f) for f in fractions}
    return answer


def _interpolate(values: dict[int, timedelta], count: int, fraction: float) -> timedelta:
    position = fraction * (count - 1)
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)
