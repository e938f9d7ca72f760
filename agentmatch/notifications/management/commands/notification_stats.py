"""`agentmatch notification-stats [--since HOURS]`: delivery per channel, from the outbox.

"Sent" is what we did (the provider took the message); for texts, "delivered" and "not
delivered" are what the carrier later reported (Twilio's status callbacks).
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone

from agentmatch.notifications.models import (
    DELIVERY_FAILURES,
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    DeliveryStatus,
    Message,
    MessageStatus,
)


def percentile(values: list[int], pct: float) -> int | None:
    """Nearest-rank percentile of sorted values; None for no values."""
    if not values:
        return None
    rank = max(1, -(-len(values) * pct // 100))  # ceil without floats going astray
    return values[min(len(values), int(rank)) - 1]


def channel_stats(*, since: datetime) -> list[dict[str, Any]]:
    counts: dict[str, Any] = {
        row["channel"]: row
        for row in Message.objects.filter(created_at__gte=since)
        .values("channel")
        .annotate(
            messages=Count("pk"),
            **{
                status: Count("pk", filter=Q(status=status))
                for status in (
                    MessageStatus.SENT,
                    MessageStatus.FAILED,
                    MessageStatus.SUPPRESSED,
                    MessageStatus.PENDING,
                )
            },
            delivered=Count("pk", filter=Q(delivery_status=DeliveryStatus.DELIVERED)),
            not_delivered=Count("pk", filter=Q(delivery_status__in=DELIVERY_FAILURES)),
        )
    }
    rows = []
    for channel in Channel:
        row: dict[str, int] = counts.get(channel.value, {})
        latencies = sorted(
            DeliveryAttempt.objects.filter(
                channel=channel.value,
                outcome=AttemptOutcome.SENT,
                message__created_at__gte=since,
            ).values_list("latency_ms", flat=True)
        )
        sent, failed = row.get("sent", 0), row.get("failed", 0)
        rows.append(
            {
                "channel": channel.value,
                "messages": row.get("messages", 0),
                "sent": sent,
                "failed": failed,
                "suppressed": row.get("suppressed", 0),
                "pending": row.get("pending", 0),
                # Of the messages that reached an end (sent or given up), how many failed.
                "failure_rate": failed / (sent + failed) if sent + failed else None,
                "p50_ms": percentile(latencies, 50),
                "p99_ms": percentile(latencies, 99),
                "delivered": row.get("delivered", 0),
                "not_delivered": row.get("not_delivered", 0),
            }
        )
    return rows


def _fmt_ms(value: int | None) -> str:
    return "-" if value is None else f"{value} ms"


class Command(BaseCommand):
    help = (
        "Per channel: messages, sent, failed, suppressed, pending, failure rate, latency, "
        "and (texts) delivered and not delivered as the carrier reported."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--since", type=float, default=24.0, help="look back this many hours (default 24)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["since"]
        if not hours > 0:
            raise CommandError("--since must be a positive number of hours")
        since = timezone.now() - timedelta(hours=hours)
        self.stdout.write(
            f"Messages created in the last {hours:g} h (latency: event → provider acceptance)"
        )
        header = (
            f"{'channel':<8}{'messages':>9}{'sent':>7}{'failed':>7}{'suppr.':>7}"
            f"{'pending':>8}{'fail %':>8}{'p50':>10}{'p99':>10}{'deliv.':>8}{'undeliv.':>9}"
        )
        self.stdout.write(header)
        for row in channel_stats(since=since):
            rate = row["failure_rate"]
            self.stdout.write(
                f"{row['channel']:<8}{row['messages']:>9}{row['sent']:>7}{row['failed']:>7}"
                f"{row['suppressed']:>7}{row['pending']:>8}"
                f"{'-' if rate is None else f'{rate * 100:.1f}':>8}"
                f"{_fmt_ms(row['p50_ms']):>10}{_fmt_ms(row['p99_ms']):>10}"
                f"{row['delivered']:>8}{row['not_delivered']:>9}"
            )
