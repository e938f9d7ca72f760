"""The delivery job: sends one due outbox message per call, safe with many workers.

Each message goes through three short steps, so no database transaction stays open while
a provider is being talked to (on SQLite that would block every other writer):

1. claim (one transaction): lock one due pending row with SELECT ... FOR UPDATE SKIP
   LOCKED, count the attempt and push its next_attempt_at forward by NOTIFY_CLAIM_SECONDS,
   which hides it from other workers while this one sends; or suppress it if it is about
   an offer that is no longer pending (outbox.moot_reason);
2. send (no transaction): the channel's transport;
3. record (one transaction): a DeliveryAttempt row, and the message marked sent, retried
   later with exponential backoff and jitter, or failed.

While a channel's provider is failing (down, timing out), this process leaves that channel
alone for a few seconds, doubling up to a minute (ChannelBreaker), so that a provider
that answers only after its timeout cannot hold up the other channels or the routing jobs
that share the worker loop.

A sent message is never picked again (only pending rows are claimed). Delivery is
at-least-once: if the process dies after the provider accepted the message but before
step 3 commits (or the database is unreachable for step 3), the claim runs out and the
message is sent again, once, NOTIFY_CLAIM_SECONDS later. The same happens if one send
outlasts the claim, which is why the claim is many times longer than any transport
timeout. A claimed message whose worker died is retried the same way, so nothing is lost.
"""

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageStatus,
    PushSubscription,
)
from agentmatch.notifications.outbox import moot_reason
from agentmatch.notifications.redaction import redacted_fields
from agentmatch.notifications.rendering import CannotRender, needs_rendering, render_message
from agentmatch.notifications.transports import TransportError, transport_for
from agentmatch.notifications.transports.push import SubscriptionGone
from agentmatch.notifications.undeliverable import mark, skip_reason

log = logging.getLogger("agentmatch.notifications")


@dataclass(frozen=True)
class Claim:
    message: Message
    attempt: int  # the message's attempt counter after this claim: a fencing token
    suppressed: bool = False  # ended at claim time (moot or unsendable): nothing to send


class ChannelBreaker:
    """Per process: after a temporary failure, skip that channel for a while."""

    MAX_PAUSE_SECONDS = 60.0

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}
        self.until: dict[str, float] = {}

    def paused(self) -> list[str]:
        # The monotonic clock, not the job's `now`: tests may move `now` anywhere.
        clock = time.monotonic()
        return [channel for channel, until in self.until.items() if until > clock]

    @classmethod
    def pause_seconds(cls, failures: int) -> float:
        """How long a channel is skipped after its `failures`-th temporary failure in a row
        (also what the outbox page estimates from the attempts: notifications/health.py)."""
        if failures < 1:
            return 0.0
        pause = settings.NOTIFY_CHANNEL_PAUSE_SECONDS * 2 ** (failures - 1)
        return min(cls.MAX_PAUSE_SECONDS, pause)

    def failed(self, channel: str) -> None:
        count = self.failures[channel] = self.failures.get(channel, 0) + 1
        self.until[channel] = time.monotonic() + self.pause_seconds(count)

    def succeeded(self, channel: str) -> None:
        self.failures.pop(channel, None)
        self.until.pop(channel, None)

    def reset(self) -> None:
        self.failures.clear()
        self.until.clear()


breaker = ChannelBreaker()


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(attempt-1), capped, times 0.5..1.0."""
    ceiling = min(
        settings.NOTIFY_RETRY_MAX_SECONDS,
        settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0),
    )
    # The jitter spreads a burst of failures (provider outage) over time on recovery.
    return timedelta(seconds=ceiling * (0.5 + random.random() / 2))


def claim_one(*, now: datetime, skip_channels: list[str] | None = None) -> Claim | None:
    """Claims one due message (or suppresses it, see Claim.suppressed); None if none is due."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
            .exclude(channel__in=skip_channels or [])
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if message is None:
            return None
        moot = moot_reason(message)
        if moot is not None:
            return _end_unsent(message, now=now, error=moot)
        if message.channel == Channel.SMS:
            # The carrier said this number takes no texts: the agent still has the email
            # (always sent alongside) and the app; the operator sees the number marked.
            unreachable = skip_reason(message.to)
            if unreachable is not None:
                return _end_unsent(message, now=now, error=unreachable, status=MessageStatus.FAILED)
        fields = ["attempts", "next_attempt_at"]
        if needs_rendering(message):
            try:
                fields += render_message(message)
            except CannotRender as exc:
                return _end_unsent(message, now=now, error=str(exc), status=MessageStatus.FAILED)
        message.attempts += 1
        message.next_attempt_at = now + timedelta(seconds=settings.NOTIFY_CLAIM_SECONDS)
        message.save(update_fields=fields)
        return Claim(message=message, attempt=message.attempts)


def _end_unsent(
    message: Message, *, now: datetime, error: str, status: str = MessageStatus.SUPPRESSED
) -> Claim:
    """Ends a claimed message without sending it: suppressed (moot) or failed (unsendable)."""
    message.status = status
    message.last_error = error
    message.context = {}
    for name, value in _done_with(message).items():
        setattr(message, name, value)
    message.save(update_fields=["status", "last_error", "context", "subject", "body", "payload"])
    DeliveryAttempt.objects.create(
        message=message,
        channel=message.channel,
        started_at=now,
        finished_at=now,
        outcome=(
            AttemptOutcome.SUPPRESSED
            if status == MessageStatus.SUPPRESSED
            else AttemptOutcome.PERMANENT
        ),
        error=error[:500],
        latency_ms=_ms(now - message.created_at),
    )
    return Claim(message=message, attempt=message.attempts, suppressed=True)


def record_outcome(
    *,
    claim: Claim,
    started_at: datetime,
    finished_at: datetime,
    provider_id: str = "",
    error: TransportError | None = None,
) -> str:
    """Stores the attempt and moves the message on; returns the attempt's outcome."""
    message = claim.message
    if error is None:
        outcome = AttemptOutcome.SENT
    elif error.permanent or claim.attempt >= settings.NOTIFY_MAX_ATTEMPTS:
        outcome = AttemptOutcome.PERMANENT
    else:
        outcome = AttemptOutcome.TEMPORARY
    text = error.message[:500] if error else ""
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message=message,
            channel=message.channel,
            started_at=started_at,
            finished_at=finished_at,
            outcome=outcome,
            provider_id=provider_id[:200],
            error=text,
            latency_ms=_ms(finished_at - message.created_at),
        )
        pending = Message.objects.filter(pk=message.pk, status=MessageStatus.PENDING)
        if outcome == AttemptOutcome.SENT:
            # Sent wins even if our claim ran out meanwhile: it did go out.
            pending.update(
                status=MessageStatus.SENT,
                sent_at=finished_at,
                provider_id=provider_id[:200],
                last_error="",
                **_done_with(message),
            )
            if message.channel == Channel.PUSH:
                PushSubscription.objects.filter(pk=_int(message.to)).update(
                    last_success_at=finished_at
                )
        else:
            # Only the latest claim decides a failure (another worker may hold a newer one).
            mine = pending.filter(attempts=claim.attempt)
            if outcome == AttemptOutcome.PERMANENT:
                mine.update(status=MessageStatus.FAILED, last_error=text, **_done_with(message))
            else:
                mine.update(
                    next_attempt_at=finished_at + retry_delay(claim.attempt), last_error=text
                )
        if isinstance(error, SubscriptionGone):
            PushSubscription.objects.filter(pk=error.subscription_id).delete()
        if message.channel == Channel.SMS and error is not None and error.code is not None:
            # Refused at once (21610: the number replied STOP): no more texts to it either.
            mark(phone=message.to, code=error.code, now=finished_at, message=message)
    return outcome


def deliver_one(now: datetime) -> bool:
    """The worker job: sends one due message; False when nothing is due."""
    claim = claim_one(now=now, skip_channels=breaker.paused())
    if claim is None:
        return False
    if claim.suppressed:
        return True
    message = claim.message
    clock = time.monotonic()
    provider_id, error = "", None
    try:
        provider_id = transport_for(message.channel).send(message)
    except TransportError as exc:
        error = exc
    except Exception as exc:
        # A bug in a transport must not stop the worker or lose the message: retry it.
        log.exception("unexpected error sending message %s", message.pk)
        error = TransportError(f"unexpected: {exc!r}")
    # The job's `now` plus the time the send took: tests control the clock, and in the
    # worker `now` is the current time, so latency is event → provider acceptance.
    finished_at = now + timedelta(seconds=time.monotonic() - clock)
    outcome = record_outcome(
        claim=claim, started_at=now, finished_at=finished_at, provider_id=provider_id, error=error
    )
    if outcome == AttemptOutcome.TEMPORARY:
        breaker.failed(message.channel)
    elif error is None:
        breaker.succeeded(message.channel)
    if error is not None:
        log.warning(
            "message %s (%s) attempt %s: %s: %s",
            message.pk,
            message.channel,
            claim.attempt,
            outcome,
            error.message,
        )
    return True


def _done_with(message: Message) -> dict[str, Any]:
    # The raw secrets in a message's links are needed only until it is delivered.
    return redacted_fields(subject=message.subject, body=message.body, payload=message.payload)


def _ms(delta: timedelta) -> int:
    # Clamped to the column's range: a message queued at a far-off `now` (tests, clock
    # jumps) must not make the attempt unrecordable (PostgreSQL integer out of range).
    return min(max(0, int(delta.total_seconds() * 1000)), 2_147_483_647)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


__all__ = ["breaker", "claim_one", "deliver_one", "record_outcome", "retry_delay"]
