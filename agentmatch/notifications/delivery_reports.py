"""What the provider says after it took a text: delivered, or not and why.

`record_delivery_report` is the action behind Twilio's status callback (views.sms_status):
one transaction, idempotent and order-tolerant. Reports can arrive twice or out of order
(a late "sent" after "delivered"), so the state only moves forward (DELIVERY_RANK) by a
conditional UPDATE; a report that would move it back changes nothing. A failure whose code
says the number cannot take texts marks the number (undeliverable.mark), and the outbox
sends it no more texts.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from agentmatch.notifications import undeliverable
from agentmatch.notifications.models import (
    DELIVERY_FAILURES,
    DELIVERY_RANK,
    Channel,
    DeliveryStatus,
    Message,
)

log = logging.getLogger("agentmatch.notifications")


@dataclass(frozen=True)
class ReportOutcome:
    recorded: bool  # the message's delivery state moved
    number_marked: bool = False
    reason: str = ""  # why nothing moved: unknown_message, unknown_status, stale


def parse_status(value: str) -> str | None:
    """A status we track, or None (accepted, scheduled, read, ...: nothing to record)."""
    value = value.strip().lower()
    return value if value in DeliveryStatus.values and value else None


def parse_error_code(value: str) -> int | None:
    value = value.strip()
    if not value.isdigit() or len(value) > 9:
        return None
    return int(value) or None


def record_delivery_report(
    *, provider_id: str, status: str, error_code: int | None, now: datetime
) -> ReportOutcome:
    """Stores one delivery report for the text the provider knows as `provider_id`."""
    if not provider_id or parse_status(status) is None:
        return ReportOutcome(recorded=False, reason="unknown_status")
    failed = status in DELIVERY_FAILURES
    code = error_code if failed else None
    earlier = [
        s for s, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[DeliveryStatus(status)]
    ]
    with transaction.atomic(durable=True):
        message = (
            Message.objects.filter(channel=Channel.SMS, provider_id=provider_id[:200])
            .only("pk", "to", "delivery_status")
            .first()
        )
        if message is None:
            # A report that outruns our record of the send, or about a text not ours.
            log.info("delivery report for unknown text %s: %s", provider_id[:40], status)
            return ReportOutcome(recorded=False, reason="unknown_message")
        moved = Message.objects.filter(pk=message.pk, delivery_status__in=earlier).update(
            delivery_status=status, delivery_error_code=code, delivery_reported_at=now
        )
        marked = False
        if moved and failed and code is not None:
            # Only the report that moved the state: a repeated or replayed one (the signature
            # has no timestamp) must not mark again a number an operator has since cleared.
            marked = undeliverable.mark(phone=message.to, code=code, now=now, message=message)
    if marked:
        log.warning("text %s undeliverable (code %s): number marked", message.pk, code)
    return ReportOutcome(
        recorded=bool(moved), number_marked=marked, reason="" if moved else "stale"
    )
