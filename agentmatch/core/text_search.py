"""Accent- and case-insensitive matching in the database: "lucia" finds "Lucía", "PENA"
finds "Peña", "munoz" finds "Muñoz".

One SQL function, `unaccent`, on both databases: PostgreSQL's own extension (created by
migration core/0002, a trusted extension the database owner may create) and, on SQLite,
the same function registered on every new connection (`register_sqlite_unaccent`,
connected in CoreConfig.ready). The database differences stay in this module; callers
use `folded()` on a column and `fold()` on what the person typed.

`unaccent` runs before `lower`: the accent-free text is ASCII for Latin names, which
`lower` folds the same way whatever the database's locale (SQLite's `lower` only knows
ASCII; PostgreSQL's depends on LC_CTYPE).
"""

import unicodedata
from typing import Any

from django.db.models import CharField, F, Func, Q


def fold(text: str) -> str:
    """What `folded()` makes of a column, in Python: no accents, lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class folded(Func):
    template = "lower(unaccent(%(expressions)s))"
    output_field = CharField()

    def __init__(self, column: str, **extra: Any) -> None:
        super().__init__(F(column), **extra)


def contains_folded(columns: list[str], word: str, prefix: str = "f_") -> tuple[dict, Q]:
    """Annotations and a filter: any of `columns` contains `word`, accents and case aside."""
    annotations = {f"{prefix}{c}": folded(c) for c in columns}
    wanted = fold(word)
    condition = Q()
    for name in annotations:
        condition |= Q(**{f"{name}__contains": wanted})
    return annotations, condition


def _unaccent(value: str | None) -> str | None:
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def register_sqlite_unaccent(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("unaccent", 1, _unaccent, deterministic=True)
