"""Recording what came of a sent batch: one transaction for all of its messages.

Each message gets its DeliveryAttempt row, and moves on: sent, retried later with
exponential backoff and jitter, or failed. The rows are locked and read first, so each
change is conditional on what it expects, as a conditional UPDATE would be: "sent" only
on a message still pending (sent wins even if our claim ran out meanwhile: it did go
out), a failure or a release only where our claim is still the latest (its attempt
count, the fencing token: another worker may hold a newer claim).
"""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from agentmatch.core.bulk import insert_rows, update_rows
from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageStatus,
    PushSubscription,
)
from agentmatch.notifications.redaction import redacted_fields
from agentmatch.notifications.sending import Result
from agentmatch.notifications.transports.push import SubscriptionGone
from agentmatch.notifications.undeliverable import mark

log = logging.getLogger("agentmatch.notifications")

SENT_FIELDS = ["status", "sent_at", "provider_id", "last_error", "subject", "body", "payload"]
FAILED_FIELDS = ["status", "last_error", "subject", "body", "payload"]
RETRY_FIELDS = ["next_attempt_at", "last_error"]
RELEASE_FIELDS = ["attempts", "next_attempt_at"]


@dataclass(frozen=True)
class Claim:
    message: Message
    attempt: int  # the message's attempt counter after this claim: a fencing token
    suppressed: bool = False  # ended at claim time (moot or unsendable): nothing to send
    due_at: datetime | None = None  # when it was due before the claim (a release restores it)


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(attempt-1), capped, times 0.5..1.0."""
    ceiling = min(
        settings.NOTIFY_RETRY_MAX_SECONDS,
        settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )
    # The jitter spreads a burst of failures (provider outage) over time on recovery.
    return timedelta(seconds=ceiling * (0.5 + random.random() / 2))


def outcome_of(claim: Claim, result: Result) -> str:
    error = result.error
    if error is None:
        return AttemptOutcome.SENT
    if error.permanent or claim.attempt >= settings.NOTIFY_MAX_ATTEMPTS:
        return AttemptOutcome.PERMANENT
    return AttemptOutcome.TEMPORARY


def record_outcomes(done: list[tuple[Claim, Result]], *, now: datetime) -> None:
    """Stores the attempts of a sent batch and moves each message on (one transaction).

    `now`: when the batch started; each result's `seconds` are counted from it."""
    attempts: list[DeliveryAttempt] = []
    changes: dict[str, list[Message]] = {"sent": [], "failed": [], "retry": [], "release": []}
    latest = {claim.message.pk: claim.attempt for claim, _result in done}
    with transaction.atomic():
        # By primary key alone, the status compared here: stale statistics could lead
        # a live status in the WHERE clause to the outbox's whole partial index.
        rows = (
            Message.objects.select_for_update()
            .filter(pk__in=latest)
            .order_by("pk")
            .values_list("pk", "attempts", "status")
        )
        current = {pk: tries for pk, tries, status in rows if status == MessageStatus.PENDING}
        for claim, result in done:
            message = claim.message
            mine = current.get(message.pk) == claim.attempt
            if result.released:
                if mine:
                    message.attempts = claim.attempt - 1
                    message.next_attempt_at = claim.due_at or now
                    changes["release"].append(message)
                continue
            finished_at = now + timedelta(seconds=result.seconds)
            outcome = outcome_of(claim, result)
            text = result.error.message[:500] if result.error else ""
            attempts.append(
                attempt_row(message, now, finished_at, outcome, text, result.provider_id)
            )
            if outcome == AttemptOutcome.SENT and message.pk in current:
                message.status, message.sent_at = MessageStatus.SENT, finished_at
                message.provider_id, message.last_error = result.provider_id[:200], ""
                redact(message)
                changes["sent"].append(message)
            elif outcome == AttemptOutcome.PERMANENT and mine:
                message.status, message.last_error = MessageStatus.FAILED, text
                redact(message)
                changes["failed"].append(message)
            elif outcome == AttemptOutcome.TEMPORARY and mine:
                message.next_attempt_at = finished_at + retry_delay(claim.attempt)
                message.last_error = text
                changes["retry"].append(message)
            _log_failure(claim, result, outcome)
        insert_rows(DeliveryAttempt, attempts)
        for change, fields in (
            ("sent", SENT_FIELDS),
            ("failed", FAILED_FIELDS),
            ("retry", RETRY_FIELDS),
            ("release", RELEASE_FIELDS),
        ):
            if changes[change]:
                update_rows(Message, changes[change], fields)
        _after_effects(done, now=now)


def attempt_row(
    message: Message,
    started_at: datetime,
    finished_at: datetime,
    outcome: str,
    error: str = "",
    provider_id: str = "",
) -> DeliveryAttempt:
    """One attempt's row; its latency runs from the message's event to the attempt's end."""
    return DeliveryAttempt(
        message=message,
        channel=message.channel,
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        provider_id=provider_id[:200],
        error=error[:500],
        latency_ms=ms(finished_at - message.created_at),
    )


def _after_effects(done: list[tuple[Claim, Result]], *, now: datetime) -> None:
    """What the providers' answers say about the recipients: a push subscription that
    works, one that is gone, a phone number that takes no texts."""
    working = [
        _int(claim.message.to)
        for claim, result in done
        if claim.message.channel == Channel.PUSH and not result.released and result.error is None
    ]
    if working:
        PushSubscription.objects.filter(pk__in=working).update(last_success_at=now)
    gone = [r.error.subscription_id for _c, r in done if isinstance(r.error, SubscriptionGone)]
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    for claim, result in done:
        message, error = claim.message, result.error
        if message.channel == Channel.SMS and error is not None and error.code is not None:
            # Refused at once (21610: the number replied STOP): no more texts to it either.
            at = now + timedelta(seconds=result.seconds)
            mark(phone=message.to, code=error.code, now=at, message=message)


def _log_failure(claim: Claim, result: Result, outcome: str) -> None:
    if result.error is not None:
        log.warning(
            "message %s (%s) attempt %s: %s: %s",
            claim.message.pk,
            claim.message.channel,
            claim.attempt,
            outcome,
            result.error.message,
        )


def redact(message: Message) -> None:
    """Strips the raw one-tap secrets from a message that is done with (sent, failed, ended)."""
    for name, value in done_with(message).items():
        setattr(message, name, value)


def done_with(message: Message) -> dict[str, Any]:
    # The raw secrets in a message's links are needed only until it is delivered.
    return redacted_fields(subject=message.subject, body=message.body, payload=message.payload)


def ms(delta: timedelta) -> int:
    # Clamped to the column's range: a message queued at a far-off `now` (tests, clock
    # jumps) must not make the attempt unrecordable (PostgreSQL integer out of range).
    return min(max(0, int(delta.total_seconds() * 1000)), 2_147_483_647)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
