"""Many rows in one statement whose text does not depend on how many: `bulk_create` and
`bulk_update` for the hot paths (the outbox's insert on intake, the delivery worker's
batches), on PostgreSQL as one statement taking every row in one JSON array.

Why: Django compiling a many-valued INSERT, or a `bulk_update` (a CASE WHEN per field and
row), and psycopg parsing its parameters cost more than the statement itself, which is
never the same text twice, so never cached (bench/profile_intake.py; for the worker's
batches docs/benchmarks.md). `json.dumps` writes a whole batch in C; each value is still
prepared by its field as Django would, and cast by the database from text to the
column's type. On SQLite (the embedded default), Django's own bulk methods.
"""

import json
from datetime import date, datetime, time
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from agentmatch.core import prepared_sql

Prepare = tuple[tuple[str, Any], ...]  # (attname, the field's get_db_prep_save) per column


def insert_rows(
    model: type[models.Model], rows: list[Any], *, ignore_conflicts: bool = False
) -> int:
    """`bulk_create(rows, ignore_conflicts=...)`; the rows' ids are not read back. Returns
    how many were inserted on PostgreSQL; on SQLite, how many were given."""
    if not rows:
        return 0
    db = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy for every value
    if db.vendor != "postgresql":
        model._default_manager.bulk_create(rows, ignore_conflicts=ignore_conflicts)
        return len(rows)
    sql, prepare = _insert(model, ignore_conflicts)
    return _execute(sql, prepare, rows, db)


def update_rows(model: type[models.Model], rows: list[Any], fields: list[str]) -> int:
    """`bulk_update(rows, fields)`: each row's `fields` written by its primary key."""
    if not rows:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return int(model._default_manager.bulk_update(rows, fields))
    sql, prepare = _update(model, tuple(fields))
    return _execute(sql, prepare, rows, db)


def _execute(sql: str, prepare: Prepare, rows: list[Any], db: Any) -> int:
    values = [[prep(getattr(row, attname), db) for attname, prep in prepare] for row in rows]
    with prepared_sql.cursor() as cursor:
        cursor.execute(sql, [json.dumps(values, default=_as_text)])
        return int(cursor.rowcount)


def _as_text(value: Any) -> str:
    """A prepared value json.dumps does not know, as the text PostgreSQL reads it from: a
    JSON column's value as its JSON text, a date and time in ISO 8601 (with its offset)."""
    from psycopg.types.json import Jsonb  # PostgreSQL only

    if isinstance(value, Jsonb):
        text = (value.dumps or json.dumps)(value.obj)
        return text.decode() if isinstance(text, bytes) else text
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _cast(n: int, field: Any, db: Any) -> str:
    # `->>` reads the n-th value of a row as text (NULL for JSON null), cast as the column.
    return f"(r ->> {n})::{field.db_type(db)}"


@cache
def _insert(model: type[models.Model], ignore_conflicts: bool) -> tuple[str, Prepare]:
    """insert_rows' statement and its columns, built once per process and model."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(db.ops.quote_name(str(f.column)) for f in fields)
    values = ", ".join(_cast(n, f, db) for n, f in enumerate(fields))
    sql = (
        f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({columns}) "
        f"SELECT {values} FROM jsonb_array_elements(%s::jsonb) AS r"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    return sql, tuple((f.attname, f.get_db_prep_save) for f in fields)


@cache
def _update(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, Prepare]:
    """update_rows' statement for these fields, built once per process, model and fields."""
    db = connections[DEFAULT_DB_ALIAS]
    key = model._meta.pk
    assert key is not None
    fields: list[Any] = [key, *(model._meta.get_field(name) for name in names)]
    table = db.ops.quote_name(model._meta.db_table)
    sets = ", ".join(
        f"{db.ops.quote_name(f.column)} = {_cast(n, f, db)}" for n, f in enumerate(fields) if n
    )
    sql = (
        f"UPDATE {table} SET {sets} FROM jsonb_array_elements(%s::jsonb) AS r "
        f"WHERE {table}.{db.ops.quote_name(str(key.column))} = {_cast(0, key, db)}"
    )
    return sql, tuple((f.attname, f.get_db_prep_save) for f in fields)
