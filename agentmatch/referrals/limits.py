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

from django.conf import settings
from django.db.models import F
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


def spent(*, limit: Limit, value: str, now: datetime) -> bool:
    """True when `value` has no place left in the current window: a plain read, no lock.

    Lets a request that is over a shared limit be refused before it does any work; the
    count itself is taken by `take`, whose conditional UPDATE is what actually guarantees
    the limit.
    """
    return IntakeCounter.objects.filter(
        kind=limit.kind,
        key=_key(limit, value),
        window_start=_window_start(now, limit.window_seconds),
        count__gte=limit.per_window,
    ).exists()


def refuse_if_spent(*, counts: list[tuple[Limit, str]], now: datetime) -> None:
    for limit, value in counts:
        if spent(limit=limit, value=value, now=now):
            raise RateLimited(limit.kind, seconds_left(limit, now))


def take(*, limit: Limit, value: str, now: datetime) -> bool:
    """Counts one request for `value`; False (and nothing counted) once the limit is reached.

    The caller holds a transaction: the row stays locked until it ends, so a concurrent
    request for the same key waits and then sees the new count. The count only grows by a
    conditional UPDATE checked by its row count, so two requests can never both take the
    last place.
    """
    start = _window_start(now, limit.window_seconds)
    key = _key(limit, value)
    IntakeCounter.objects.bulk_create(
        [IntakeCounter(kind=limit.kind, key=key, window_start=start, count=0)],
        ignore_conflicts=True,
    )
    taken = IntakeCounter.objects.filter(
        kind=limit.kind, key=key, window_start=start, count__lt=limit.per_window
    ).update(count=F("count") + 1)
    return taken == 1


def take_all(*, counts: list[tuple[Limit, str]], now: datetime) -> None:
    """Counts the request against every (limit, value) or raises RateLimited.

    Raise inside the caller's transaction so a refused request counts nowhere.
    """
    for limit, value in counts:
        if not take(limit=limit, value=value, now=now):
            raise RateLimited(limit.kind, seconds_left(limit, now))


def forget_old_counters(*, now: datetime) -> int:
    """Drops the counters of windows that ended (run with each request: a cheap indexed delete)."""
    seconds = max(
        address_limit().window_seconds, phone_limit().window_seconds, PARTNER_WINDOW_SECONDS
    )
    deleted, _ = IntakeCounter.objects.filter(
        window_start__lt=now - timedelta(seconds=seconds)
    ).delete()
    return deleted
