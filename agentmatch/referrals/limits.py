"""Abuse protection for the intake, on every door: at most N requests per phone number and
per client address (or per partner key) in each window, counted in the database that every
web process shares. Find Local Help's searches count per client address the same way.

Fixed windows (the hour from :00, by default): simple to count with one row per key, at
the price of allowing up to twice the limit across a window's edge. Generous defaults keep
a library or a navigator's office (many people behind one address) working.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.crypto import salted_hmac

from agentmatch.referrals.intake import IntakeError
from agentmatch.referrals.models import IntakeCounter

ADDRESS = "address"
PHONE = "phone"
PARTNER = "partner"
DIRECTORY = "directory"  # Find Local Help searches
PARTNER_WINDOW_SECONDS = 3600  # a partner key's limit is per hour

_MESSAGES = {
    PHONE: "This phone number made several requests in the last hour.",
    ADDRESS: "Many requests came from this address in the last hour.",
    PARTNER: "This partner key reached its limit of requests per hour.",
    DIRECTORY: "Many searches came from this address in the last hour.",
}


@dataclass(frozen=True)
class Limit:
    kind: str
    per_window: int
    window_seconds: int


def address_limit() -> Limit:
    return Limit(
        ADDRESS,
        settings.CONSUMER_REQUESTS_PER_ADDRESS,
        settings.CONSUMER_RATE_WINDOW_SECONDS,
    )


def phone_limit() -> Limit:
    return Limit(
        PHONE,
        settings.CONSUMER_REQUESTS_PER_PHONE,
        settings.CONSUMER_RATE_WINDOW_SECONDS,
    )


def directory_limit() -> Limit:
    return Limit(
        DIRECTORY,
        settings.DIRECTORY_SEARCHES_PER_ADDRESS,
        settings.CONSUMER_RATE_WINDOW_SECONDS,
    )


def partner_limit(requests_per_hour: int) -> Limit:
    return Limit(PARTNER, requests_per_hour, PARTNER_WINDOW_SECONDS)


class RateLimited(IntakeError):
    """Too many requests: `kind` says which limit, `retry_after` in how many seconds its
    window ends."""

    def __init__(self, kind: str, retry_after: int) -> None:
        message = f"{_MESSAGES[kind]} Try again in {math.ceil(retry_after / 60)} minutes."
        super().__init__(PHONE if kind == PHONE else None, message, code="rate_limited")
        self.kind = kind
        self.retry_after = retry_after


def address_key(remote_addr: str) -> str:
    """The client address to count; an IPv6 client owns a whole /64, so count that."""
    try:
        ip = ipaddress.ip_address(remote_addr)
    except ValueError:
        return remote_addr or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def seconds_left(limit: Limit, now: datetime) -> int:
    """Seconds until the current window of `limit` ends (at least 1)."""
    end = _window_start(now, limit.window_seconds) + timedelta(seconds=limit.window_seconds)
    return max(1, math.ceil((end - now).total_seconds()))


def _key(limit: Limit, value: str) -> str:
    return salted_hmac(
        "agentmatch.consumers.limits", f"{limit.kind}:{value}", algorithm="sha256"
    ).hexdigest()


def spent_check(*, limit: Limit, value: str, now: datetime) -> tuple[str, list[Any]]:
    """SQL (and its parameters) true when `value` has no place left in the current
    window: a plain read, no lock. A caller may fold it into a statement of its own.

    Lets a request that is over a shared limit be refused before it does any work; the
    count itself is taken by `take`, whose conditional upsert is what actually guarantees
    the limit.
    """
    q = connection.ops.quote_name
    start = connection.ops.adapt_datetimefield_value(_window_start(now, limit.window_seconds))
    return (
        f"EXISTS (SELECT 1 FROM {q(IntakeCounter._meta.db_table)} WHERE {q('kind')} = %s "
        f"AND {q('key')} = %s AND {q('window_start')} = %s AND {q('count')} >= %s)",
        [limit.kind, _key(limit, value), start, limit.per_window],
    )


def refused(limit: Limit, now: datetime) -> RateLimited:
    """The refusal for `limit`, with the seconds left in its window."""
    return RateLimited(limit.kind, seconds_left(limit, now))


def take(*, limit: Limit, value: str, now: datetime) -> bool:
    """Counts one request for `value`; False (and nothing counted) once the limit is reached.

    One statement, an upsert: the window's first request inserts the row with a count of
    1, the later ones add 1 only while the count is under the limit (RETURNING tells which
    happened). The caller holds a transaction: the row stays locked until it ends, so a
    concurrent request for the same key waits (on the unique index or the row) and then
    sees the new count; two requests can never both take the last place. Same statement on
    PostgreSQL and SQLite (3.35+).
    """
    if limit.per_window < 1:
        return False
    start = connection.ops.adapt_datetimefield_value(_window_start(now, limit.window_seconds))
    with connection.cursor() as cursor:
        cursor.execute(
            _take_sql(connection.vendor),
            [limit.kind, _key(limit, value), start, limit.per_window],
        )
        return cursor.fetchone() is not None


@cache
def _take_sql(vendor: str) -> str:
    """take()'s upsert, quoted once per database kind (it runs twice per intake)."""
    q = connection.ops.quote_name
    table, count = q(IntakeCounter._meta.db_table), q("count")
    return (
        f"INSERT INTO {table} ({q('kind')}, {q('key')}, {q('window_start')}, {count}) "
        f"VALUES (%s, %s, %s, 1) ON CONFLICT ({q('kind')}, {q('key')}, {q('window_start')}) "
        f"DO UPDATE SET {count} = {table}.{count} + 1 WHERE {table}.{count} < %s "
        f"RETURNING {count}"
    )


def take_all(*, counts: list[tuple[Limit, str]], now: datetime) -> None:
    """Counts the request against every (limit, value) or raises RateLimited.

    Raise inside the caller's transaction so a refused request counts nowhere.
    """
    for limit, value in counts:
        if not take(limit=limit, value=value, now=now):
            raise refused(limit, now)


def forget_old_counters(*, now: datetime) -> int:
    """Drops the counters of windows that ended (a cheap indexed delete; intake runs it
    now and then, see actions.requests)."""
    seconds = max(
        address_limit().window_seconds, phone_limit().window_seconds, PARTNER_WINDOW_SECONDS
    )
    deleted, _ = IntakeCounter.objects.filter(
        window_start__lt=now - timedelta(seconds=seconds)
    ).delete()
    return deleted
