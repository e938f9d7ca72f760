"""Each channel's health, for the outbox page: what waits, what went out, what failed.

SQL aggregates over the same indexes /metrics reads (observability/metrics.py): the
pending rows (`message_due`, partial on status pending) and the attempts of the last
24 hours (`attempts_by_channel`: channel, finished_at). Four small queries in all.

The circuit breaker (sending.ChannelBreaker) lives in each worker's memory, out of a web
page's reach; its state is estimated from the same facts it reacts to: the temporary
failures since the channel's last success, and the pause the breaker takes after that
many (ChannelBreaker.pause_seconds).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Min, Q

from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageStatus,
)
from agentmatch.notifications.sending import ChannelBreaker

HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class ChannelHealth:
    channel: str
    pending: int
    due: int  # of the pending: due now (the rest wait for a retry)
    oldest_pending_at: datetime | None
    sent_hour: int
    sent_day: int
    failed_hour: int  # attempts given up on (the message failed for good)
    failed_day: int
    errors_hour: int  # temporary errors (retried)
    last_success_at: datetime | None  # within the last 24 hours
    failures_since_success: int  # temporary failures in a row, within the last 24 hours
    paused_until: datetime | None  # the workers' estimated pause, if it is still on

    @property
    def failing(self) -> bool:
        return self.failures_since_success > 0


def pending_backlog(now: datetime) -> dict[str, dict[str, Any]]:
    """Per channel with messages not sent yet: how many (`n`), how many due now (`due`) and
    when the oldest was made (`oldest`). /metrics exposes the same figures."""
    return {
        row["channel"]: dict(row)
        for row in Message.objects.filter(status=MessageStatus.PENDING)
        .values("channel")
        .annotate(
            n=Count("id"),
            due=Count("id", filter=Q(next_attempt_at__lte=now)),
            oldest=Min("created_at"),
        )
        .order_by()
    }


def channel_health(now: datetime) -> list[ChannelHealth]:
    backlog = pending_backlog(now)
    sent, failed = AttemptOutcome.SENT, AttemptOutcome.PERMANENT
    temporary = AttemptOutcome.TEMPORARY
    hour = Q(finished_at__gte=now - HOUR)
    recent: dict[str, dict[str, Any]] = {
        row["channel"]: dict(row)
        for row in DeliveryAttempt.objects.filter(
            channel__in=Channel.values, finished_at__gte=now - DAY
        )
        .values("channel")
        .annotate(
            sent_day=Count("id", filter=Q(outcome=sent)),
            sent_hour=Count("id", filter=Q(outcome=sent) & hour),
            failed_day=Count("id", filter=Q(outcome=failed)),
            failed_hour=Count("id", filter=Q(outcome=failed) & hour),
            errors_hour=Count("id", filter=Q(outcome=temporary) & hour),
            last_success=Max("finished_at", filter=Q(outcome=sent)),
        )
        .order_by()
    }
    streak_filter = Q()
    for channel in Channel.values:
        since = (recent.get(channel) or {}).get("last_success") or now - DAY
        streak_filter |= Q(channel=channel, finished_at__gt=since)
    streaks: dict[str, dict[str, Any]] = {
        row["channel"]: dict(row)
        for row in DeliveryAttempt.objects.filter(streak_filter, outcome=temporary)
        .values("channel")
        .annotate(n=Count("id"), last=Max("finished_at"))
        .order_by()
    }
    out = []
    for channel in Channel.values:
        queued, done = backlog.get(channel, {}), recent.get(channel, {})
        streak = streaks.get(channel, {})
        failures = streak.get("n", 0)
        paused_until = None
        if failures:
            until = streak["last"] + timedelta(seconds=ChannelBreaker.pause_seconds(failures))
            paused_until = until if until > now else None
        out.append(
            ChannelHealth(
                channel=channel,
                pending=queued.get("n", 0),
                due=queued.get("due", 0),
                oldest_pending_at=queued.get("oldest"),
                sent_hour=done.get("sent_hour", 0),
                sent_day=done.get("sent_day", 0),
                failed_hour=done.get("failed_hour", 0),
                failed_day=done.get("failed_day", 0),
                errors_hour=done.get("errors_hour", 0),
                last_success_at=done.get("last_success"),
                failures_since_success=failures,
                paused_until=paused_until,
            )
        )
    return out
