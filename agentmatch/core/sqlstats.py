"""Percentiles computed by the database: the one place where PostgreSQL and SQLite differ.

PostgreSQL has the ordered-set aggregate `percentile_cont(f) WITHIN GROUP (ORDER BY x)`,
which works on intervals too, so a median of "accepted minus requested" is one aggregate
per group, and GROUPING SETS gives every grouping (per state, per language, overall) in
one pass over the rows. SQLite has no such aggregate. There the database still does the sorting: a
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

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Count,
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


def percentiles(
    queryset: QuerySet[Any],
    *,
    value: Expression,
    fractions: Sequence[float],
    groupings: Sequence[str | None] = (None,),
) -> dict[str | None, dict[Hashable, Percentiles]]:
    """The given percentiles of `value` (a duration expression) over the rows of
    `queryset`, for each grouping: a field to group by, or None for all rows at once.

    Answers {grouping: {group value: {fraction: duration}}}; the None grouping's only key
    is None. Groups with no rows are absent (all rows of an empty queryset: None for every
    fraction, or absent); callers treat both as "no data".
    """
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        return _percentile_cont(
            queryset, value=value, fractions=fractions, groupings=groupings, connection=connection
        )
    return {
        grouping: _ranked_rows(queryset, value=value, fractions=fractions, group_by=grouping)
        for grouping in groupings
    }


def _percentile_cont(
    queryset: QuerySet[Any],
    *,
    value: Expression,
    fractions: Sequence[float],
    groupings: Sequence[str | None],
    connection: Any,
) -> dict[str | None, dict[Hashable, Percentiles]]:
    """One pass over the rows for every grouping: GROUP BY GROUPING SETS around the ORM's
    own query (which selects the grouping fields and the value, with its joins and
    filters), so the period's rows are read and joined once, not once per grouping."""
    columns = list(dict.fromkeys(g for g in groupings if g))
    answer: dict[str | None, dict[Hashable, Percentiles]] = {g: {} for g in groupings}
    inner = queryset.order_by().annotate(_value=value).values(*columns, "_value")
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a filter nothing can match, such as `pk__in=[]`
        return answer
    quote = connection.ops.quote_name
    select = [quote(c) for c in columns]
    select += [f"GROUPING({quote(c)})" for c in columns]
    select += [
        f"percentile_cont({float(f)!r}) WITHIN GROUP (ORDER BY {quote('_value')})"
        for f in fractions
    ]
    sets = ", ".join(f"({quote(g)})" if g else "()" for g in groupings)
    query = f"SELECT {', '.join(select)} FROM ({sql}) AS rows GROUP BY GROUPING SETS ({sets})"
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            keys, flags, values = (
                row[: len(columns)],
                row[len(columns) : 2 * len(columns)],
                row[2 * len(columns) :],
            )
            # GROUPING(c) is 0 in the rows of the set that groups by c.
            grouped = [c for c, flag in zip(columns, flags, strict=True) if flag == 0]
            grouping = grouped[0] if grouped else None
            key = keys[columns.index(grouping)] if grouping else None
            answer[grouping][key] = dict(zip(fractions, values, strict=True))
    return answer


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
