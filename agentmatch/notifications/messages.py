"""Putting an event's messages in the outbox, called inside the event's transaction.

An event's function (referrals/messages.py for the referral and offer events) puts one
outbox row per channel and recipient, holding only what the words are made from
(`context`: ids and flags); the delivery worker renders them in the recipient's language
and time zone right before sending (notifications/rendering.py, with the renderers each
app registers). An event on the intake path thus costs one insert and no template work.
The dedupe key names the event, so running the same event twice enqueues nothing twice.
"""

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db import connection

from agentmatch.agents.models import Agent, ContactMethod
from agentmatch.core.bulk import insert_rows
from agentmatch.notifications.models import Channel, Message, PushSubscription
from agentmatch.notifications.outbox import enqueue
from agentmatch.notifications.rendering import (
    agent_language,
    agent_time_zone,
    language_name,
    render,
)

TEXT_METHODS = (ContactMethod.EMAIL_TEXT_APP, ContactMethod.EMAIL_TEXT)
APP_METHODS = (ContactMethod.EMAIL_TEXT_APP, ContactMethod.EMAIL_APP)


def dedupe_key(*parts: object) -> str:
    key = ":".join(str(p) for p in parts)
    # Email addresses can be long; the column holds 200 characters.
    return key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()


_batch: ContextVar[list[Message] | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def one_insert() -> Iterator[None]:
    """New events' messages stored inside the block go to the outbox in one INSERT at its
    end (intake: the consumer's and the agent's messages in one round trip)."""
    token = _batch.set([])
    try:
        yield
        pending = _batch.get() or []
    finally:
        _batch.reset(token)
    if pending:
        insert_new(pending)


def store(messages: list[Message], *, first_time: bool = False) -> int:
    """Puts one event's messages in the outbox; returns how many are new (PostgreSQL: one
    round trip, the insert counts them; SQLite: the known keys are read first).

    The same rows `outbox.enqueue` writes, batched: an offer is on the intake hot path.
    `first_time`: the event's row was created in this very transaction (a new offer or
    referral), so none of its keys can exist yet; one round trip.
    """
    if first_time:
        batch = _batch.get()
        if batch is not None:
            batch.extend(messages)
        else:
            insert_new(messages)
        return len(messages)
    if connection.vendor == "postgresql":
        return insert_new(messages)  # the database counts what it inserted
    keys = [m.dedupe_key for m in messages]
    known = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    new = [m for m in messages if m.dedupe_key not in known]
    # A concurrent run of the same event may win a key meanwhile: the unique key keeps theirs.
    insert_new(new)
    return len(new)


def insert_new(messages: list[Message]) -> int:
    """`bulk_create(messages, ignore_conflicts=True)` as one statement whatever their
    number (core/bulk.py): rows whose dedupe key exists already are left out; the
    messages' ids are not read back. Returns how many were inserted on PostgreSQL; on
    SQLite, how many were given."""
    return insert_rows(Message, messages, ignore_conflicts=True)


def unrendered(
    recipients: Sequence[tuple[str, str]],
    *,
    kind: str,
    event: str,
    context: dict[str, Any],
    now: datetime,
    **fields: Any,
) -> list[Message]:
    """One unrendered outbox row per (channel, recipient) of the event."""
    return [
        Message(
            channel=channel,
            to=to,
            kind=kind,
            context={"event": event, **context},
            dedupe_key=dedupe_key(event, channel, to),
            created_at=now,
            next_attempt_at=now,
            **fields,
        )
        for channel, to in recipients
    ]


# --- Agents -------------------------------------------------------------------------------


def push_ids_of(agents: Sequence[Agent]) -> dict[int, list[int]]:
    """Each agent's push subscriptions (for agents who chose app notifications), in one
    query for a batch of messages; pass each list to to_agent's `push_ids`."""
    wanting = [agent.pk for agent in agents if agent.contact_method in APP_METHODS]
    found: dict[int, list[int]] = {pk: [] for pk in wanting}
    if wanting:
        rows = PushSubscription.objects.filter(agent_id__in=wanting).order_by("pk")
        for agent_id, pk in rows.values_list("agent_id", "pk"):
            found[agent_id].append(pk)
    return found


def agent_channels(agent: Agent, push_ids: list[int] | None = None) -> list[tuple[str, str]]:
    """(channel, recipient) pairs the agent chose: email always, text and app if asked.

    `push_ids`: the agent's push subscriptions when the caller has read them already.
    """
    pairs: list[tuple[str, str]] = []
    if agent.email:
        pairs.append((Channel.EMAIL, agent.email))
    if agent.contact_method in TEXT_METHODS and agent.cell_phone:
        pairs.append((Channel.SMS, agent.cell_phone))
    if agent.contact_method in APP_METHODS:
        if push_ids is None:
            subscriptions = PushSubscription.objects.filter(agent=agent).order_by("pk")
            push_ids = list(subscriptions.values_list("pk", flat=True))
        pairs.extend((Channel.PUSH, str(pk)) for pk in push_ids)
    return pairs


def to_agent(
    *,
    agent: Agent,
    kind: str,
    event: str,
    context: dict[str, Any],
    now: datetime,
    first_time: bool = False,
    push_ids: list[int] | None = None,
    **fields: Any,
) -> int:
    """One event's messages to the agent, by every channel the agent chose; returns how
    many are new. `fields`: the Message columns the event sets (referral, offer)."""
    messages = unrendered(
        agent_channels(agent, push_ids),
        kind=kind,
        event=event,
        context=context,
        now=now,
        agent=agent,
        **fields,
    )
    return store(messages, first_time=first_time)


def send_test_text(*, agent: Agent, now: datetime, event: str) -> bool:
    """The test text an agent gets after choosing texts at sign-up."""
    if not agent.cell_phone:
        return False
    language = agent_language(agent)
    body = render("test_text", "sms.txt", {"agent": agent}, language=language)
    message = enqueue(
        channel=Channel.SMS,
        to=agent.cell_phone,
        kind="test_text",
        now=now,
        language=language,
        body=body,
        agent=agent,
        dedupe_key=dedupe_key(event, Channel.SMS, agent.cell_phone),
    )
    return message is not None


# The language and time helpers live with the rendering; callers may import them from here.
__all__ = [
    "agent_channels",
    "agent_language",
    "agent_time_zone",
    "dedupe_key",
    "language_name",
    "one_insert",
    "push_ids_of",
    "render",
    "send_test_text",
    "store",
    "to_agent",
    "unrendered",
]
