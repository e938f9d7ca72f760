"""The delivery job: sends the outbox's due messages a batch at a time, safe with many
workers.

Each batch goes through three short steps, so no database transaction stays open while
a provider is being talked to (on SQLite that would block every other writer):

1. claim (one transaction): lock up to NOTIFY_BATCH_SIZE due pending rows with SELECT
   ... FOR UPDATE SKIP LOCKED, count an attempt on each and push its next_attempt_at
   forward by NOTIFY_CLAIM_SECONDS, which hides it from other workers while this one
   sends; or end it unsent: suppressed if it is about an offer that is no longer pending
   (outbox.moot_reasons), failed if it can never be sent. Messages are rendered here
   (rendering.py), the batch's renders sharing their reads;
2. send (no transaction): side by side, each by its channel's transport (sending.py);
3. record (one transaction): the attempts, and each message marked sent, retried later
   with exponential backoff and jitter, or failed (recording.py).

A batch costs a handful of statements whatever its size, where one message at a time
cost nine (docs/benchmarks.md). Its size bounds how long the worker's loop is away from
offer expiries, which come first.

A sent message is never picked again (only pending rows are claimed). Delivery is
at-least-once: if the process dies after the provider accepted the message but before
step 3 commits (or the database is unreachable for step 3), the claim runs out and the
message is sent again, once, NOTIFY_CLAIM_SECONDS later. The same happens if one send
outlasts the claim, which is why the claim is many times longer than any transport
timeout. A claimed message whose worker died is retried the same way, so nothing is lost.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from agentmatch.core.bulk import insert_rows, update_rows
from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageStatus,
)
from agentmatch.notifications.outbox import moot_reasons
from agentmatch.notifications.recording import (
    Claim,
    attempt_row,
    record_outcomes,
    redact,
    retry_delay,
)
from agentmatch.notifications.rendering import (
    CannotRender,
    needs_rendering,
    preload,
    render_message,
    rendering_batch,
)
from agentmatch.notifications.sending import ChannelBreaker, breaker, send_all
from agentmatch.notifications.undeliverable import skip_reasons

# What a claim writes: the attempt, the hiding, and the words rendered on the way.
CLAIM_FIELDS = ["attempts", "next_attempt_at", "language", "subject", "body", "payload", "context"]
END_FIELDS = ["status", "last_error", "context", "subject", "body", "payload"]


def claim_due(*, now: datetime, limit: int, skip_channels: list[str] | None = None) -> list[Claim]:
    """Claims up to `limit` due messages, oldest due first; those ended unsent at claim
    time come back too (Claim.suppressed). An empty list: none is due."""
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
            .exclude(channel__in=skip_channels or [])
            .order_by("next_attempt_at", "pk")[:limit]
        )
        if not messages:
            return []
        moot = moot_reasons(messages)
        # The carrier said these numbers take no texts: the agent still has the email
        # (always sent alongside) and the app; the operator sees the number marked.
        unreachable = skip_reasons([m.to for m in messages if m.channel == Channel.SMS])
        claims: list[Claim] = []
        ended: list[tuple[Message, str, str]] = []  # message, why, the status it ends in
        wanted = [m for m in messages if m.pk not in moot]
        with rendering_batch():
            preload([m for m in wanted if needs_rendering(m)])
            for message in messages:
                if message.pk in moot:
                    ended.append((message, moot[message.pk], MessageStatus.SUPPRESSED))
                    continue
                if message.channel == Channel.SMS and message.to in unreachable:
                    ended.append((message, unreachable[message.to], MessageStatus.FAILED))
                    continue
                if needs_rendering(message):
                    try:
                        render_message(message)
                    except CannotRender as exc:
                        ended.append((message, str(exc), MessageStatus.FAILED))
                        continue
                due_at = message.next_attempt_at
                message.attempts += 1
                message.next_attempt_at = now + timedelta(seconds=settings.NOTIFY_CLAIM_SECONDS)
                claims.append(Claim(message=message, attempt=message.attempts, due_at=due_at))
        if claims:
            update_rows(Message, [c.message for c in claims], CLAIM_FIELDS)
        if ended:
            claims += _end_unsent(ended, now=now)
    return claims


def _end_unsent(ended: list[tuple[Message, str, str]], *, now: datetime) -> list[Claim]:
    """Ends claimed messages without sending them: suppressed (moot) or failed (unsendable)."""
    attempts = []
    for message, error, status in ended:
        message.status, message.last_error, message.context = status, error[:500], {}
        redact(message)
        outcome = (
            AttemptOutcome.SUPPRESSED
            if status == MessageStatus.SUPPRESSED
            else AttemptOutcome.PERMANENT
        )
        attempts.append(attempt_row(message, now, now, outcome, error))
    update_rows(Message, [message for message, _e, _s in ended], END_FIELDS)
    insert_rows(DeliveryAttempt, attempts)
    return [Claim(message=m, attempt=m.attempts, suppressed=True) for m, _e, _s in ended]


def claim_one(*, now: datetime, skip_channels: list[str] | None = None) -> Claim | None:
    """Claims the oldest due message (see claim_due); None if none is due."""
    claims = claim_due(now=now, limit=1, skip_channels=skip_channels)
    return claims[0] if claims else None


def deliver_due(now: datetime, *, limit: int | None = None) -> int:
    """The worker job: claims a batch of due messages, sends them and records what came
    of it; returns how many messages it handled (0: none was due)."""
    # At least one: a batch size set to 0 must not stop delivery.
    size = limit or max(1, settings.NOTIFY_BATCH_SIZE)
    claims = claim_due(now=now, limit=size, skip_channels=breaker.paused())
    to_send = [claim for claim in claims if not claim.suppressed]
    if to_send:
        # The job's `now` plus the time each send took: tests control the clock, and in
        # the worker `now` is the current time, so latency is event → provider acceptance.
        results = send_all([claim.message for claim in to_send])
        record_outcomes(list(zip(to_send, results, strict=True)), now=now)
    return len(claims)


def deliver_one(now: datetime) -> bool:
    """Sends the oldest due message alone; False when none is due."""
    return deliver_due(now, limit=1) > 0


__all__ = [
    "ChannelBreaker",
    "breaker",
    "claim_due",
    "claim_one",
    "deliver_due",
    "deliver_one",
    "retry_delay",
]
