"""Putting messages in the outbox. Call inside the transaction that makes the event."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from agentmatch.agents.models import Agent
from agentmatch.notifications.models import Message
from agentmatch.referrals.models import Offer, Referral

# A message with `offer=` set is dropped (status "suppressed") by the delivery job once the
# offer is no longer pending, unless its kind is one of these: messages that are *about*
# the offer having ended ("you missed a referral", "this referral has been reassigned").
KINDS_ABOUT_ENDED_OFFERS = frozenset({"offer_missed", "offer_reassigned", "offer_expired"})


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
    referral: Referral | None = None,
    offer: Offer | None = None,
    dedupe_key: str | None = None,
) -> Message | None:
    """Stores one message for the delivery worker; None if this dedupe key exists already."""
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
        referral=referral,
        offer=offer,
        dedupe_key=dedupe_key,
        created_at=now,
        next_attempt_at=now,
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
