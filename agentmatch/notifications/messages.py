"""Putting an event's messages in the outbox, called inside the event's transaction.

An event's function (referrals/messages.py for the referral and offer events) puts one
outbox row per channel and recipient, holding only what the words are made from
(`context`: ids and flags); the delivery worker renders them in the recipient's language
and time zone right before sending (notifications/rendering.py, with the renderers each
app registers). An event on the intake path thus costs one insert and no template work.
The dedupe key names the event, so running the same event twice enqueues nothing twice.
"""

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

from agentmatch.agents.models import Agent, ContactMethod
from agentmatch.core import prepared_sql
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
    """`bulk_create(messages, ignore_conflicts=True)`: on PostgreSQL as one statement
    taking every row in one JSON array (`jsonb_array_elements`), the same statement for
    any number of rows. Rows whose dedupe key exists already are left out, as with
    bulk_create; the messages' ids are not read back. Returns how many were inserted on
    PostgreSQL; on SQLite, how many were given.

    Why one JSON parameter: on the intake path, Django compiling a many-valued INSERT and
    psycopg parsing it (over 50 parameters: never cached) cost more than the insert itself,
    and so did psycopg quoting one array per column (22 arrays) in Python; `json.dumps`
    writes the whole batch in C (bench/profile_intake.py). Each value is still prepared by
    its field as Django would, and cast by the database from text to the column's type as
    an array of that type would be."""
    if not messages:
        return 0
    db = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy for every value
    if db.vendor != "postgresql":
        Message.objects.bulk_create(messages, ignore_conflicts=True)
        return len(messages)
    sql, prepare = _json_insert()
    rows = [[prep(getattr(m, attname), db) for attname, prep in prepare] for m in messages]
    with prepared_sql.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, default=_as_text)])
        return int(cursor.rowcount)


def _as_text(value: Any) -> str:
    """A prepared value json.dumps does not know, as the text PostgreSQL reads it from: a
    JSON column's value as its JSON text, a date and time in ISO 8601 (with its offset)."""
    from psycopg.types.json import Jsonb  # PostgreSQL only

    if isinstance(value, Jsonb):
        text = (value.dumps or json.dumps)(value.obj)
        return text.decode() if isinstance(text, bytes) else text
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


@cache
def _json_insert() -> tuple[str, tuple[tuple[str, Callable[..., Any]], ...]]:
    """insert_new's statement and each column's (attname, get_db_prep_save), built once per
    process rather than quoting the columns and their types on every call."""
    db = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(db.ops.quote_name(str(f.column)) for f in fields)
    # `->>` reads the n-th value of a row as text (NULL for JSON null), cast as the column.
    values = ", ".join(f"(r ->> {n})::{f.db_type(db)}" for n, f in enumerate(fields))
    sql = (
        f"INSERT INTO {Message._meta.db_table} ({columns}) "
        f"SELECT {values} FROM jsonb_array_elements(%s::jsonb) AS r ON CONFLICT DO NOTHING"
    )
    return sql, tuple((f.attname, f.get_db_prep_save) for f in fields)


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
