"""CSV downloads that stream: rows leave as they are read, a few thousand at a time, so a
year of referrals never sits in memory, and no database cursor outlives its query.

Every cell goes through `cell()`: a value a spreadsheet would run as a formula (a
consumer who typed `=HYPERLINK(...)` as their name) is written as text instead (OWASP's
CSV injection advice: prefix a single quote).
"""

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number (an E.164 phone: +16085550111) runs nothing: kept as it is for machines.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 .]*")
CHUNK = 2000


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        # Machines read exports: ISO 8601 in UTC, whatever the viewer's zone.
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def in_chunks[M: Model](queryset: QuerySet[M], size: int = CHUNK) -> Iterator[M]:
    """Every row of `queryset` in primary-key order, one short query per `size` rows.

    Keyset paging rather than `iterator()`: a server-side cursor would have to stay open
    (inside a transaction) for as long as the download lasts, and a slow client would
    hold it; under PgBouncer's transaction pooling it must not outlive its transaction.
    """
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:size])
        yield from rows
        if len(rows) < size:
            return
        last = rows[-1].pk


class _Line:
    """csv.writer writes into this and gets its line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def rows_as_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # Excel opens UTF-8 (accents, ñ) correctly only with the byte-order mark
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(v) for v in row])


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        rows_as_csv(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
