"""Putting messages in the outbox. Call inside the transaction that makes the event."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from agentmatch.agents.models import Agent
from agentmatch.notifications.models import Message

# Given the messages a delivery batch claimed, the reason each moot one need no longer be
# sent, by message id (one query for the batch, not one per message).
MootCheck = Callable[[list[Message]], dict[int, str]]

# Checks the delivery job runs on the messages it claims: a message whose event no longer
# matters (an offer no longer pending) is suppressed, with the reason a check returns.
# Registered from the AppConfig.ready() of the app the messages are about (referrals).
MOOT_CHECKS: list[MootCheck] = []


def register_moot_check(check: MootCheck) -> None:
    if check not in MOOT_CHECKS:
        MOOT_CHECKS.append(check)


def moot_reasons(messages: list[Message]) -> dict[int, str]:
    """Why each of these messages need no longer be sent, by id; the wanted are missing."""
    reasons: dict[int, str] = {}
    for check in MOOT_CHECKS:
        for pk, reason in check([m for m in messages if m.pk not in reasons]).items():
            reasons.setdefault(pk, reason)
    return reasons


def moot_reason(message: Message) -> str | None:
    """Why the message need no longer be sent, or None: it is still wanted."""
    return moot_reasons([message]).get(message.pk)


def enqueue(
    *,
    channel: str,
    to: str,
    kind: str,
    now: datetime,
    language: str = "en",
    subject: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
    agent: Agent | None = None,
    dedupe_key: str | None = None,
    **about: Any,
) -> Message | None:
    """Stores one message for the delivery worker; None if this dedupe key exists already.

    `about`: the referral or offer the message is about (Message.referral, Message.offer).
    """
    if dedupe_key is not None and Message.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    message = Message(
        channel=channel,
        to=to,
        kind=kind,
        language=language,
        subject=subject[:300],
        body=body,
        payload=payload or {},
        agent=agent,
        dedupe_key=dedupe_key,
        created_at=now,
        next_attempt_at=now,
        **about,
    )
    if dedupe_key is None:
        message.save(force_insert=True)
        return message
    try:
        # A concurrent enqueue of the same event may win the unique key: keep theirs.
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return None
    return message
