"""The fan-out: reads each event table past its cursor and writes one WebhookDelivery per
matching subscription, in one transaction with the cursor's move, so a worker that dies
loses nothing (the next one reads the same events again) and the unique constraint
`webhook_event_once` makes a second read harmless.

The cursor row is locked with SKIP LOCKED: while one worker fans a source out, the others
skip it. Ids become visible at commit, not in id order, so the cursor stops at a missing
id and waits WEBHOOKS_EVENT_GAP_SECONDS for it (see FanOutCursor) before going past.

With no active subscription (most deployments) the worker's turn costs one query and a
cursor move that writes nothing while no event arrives: the cursor jumps to the newest
event unread, since a subscription only ever receives events from after it was created.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Subquery

from agentmatch.eligibility.models import AgentStatusEvent
from agentmatch.referrals.models import ReferralEvent
from agentmatch.webhooks.events import AGENT_TYPES, REFERRAL_TYPES
from agentmatch.webhooks.models import (
    EventSource,
    FanOutCursor,
    WebhookDelivery,
    WebhookSubscription,
)

BATCH = 500
# An event's id, its webhook type ("" when it is none), the partner it is about, its time.
type Row = tuple[int, str, int | None, datetime]
SOURCES = (EventSource.REFERRAL, EventSource.AGENT)


def next_ids(cursor: FanOutCursor, ids: list[int], *, now: datetime) -> list[int]:
    """The ids (in order) the cursor may take now, and moves the cursor past them.

    An id may be taken when it follows the position, or when every id missing before it
    is at most the horizon and the horizon is older than the gap wait."""
    if cursor.position == 0 and ids:
        # A new cursor starts at the oldest event there is (ids need not start at 1).
        cursor.position = cursor.horizon = ids[0] - 1
    wait = timedelta(seconds=settings.WEBHOOKS_EVENT_GAP_SECONDS)
    seen = cursor.horizon_seen_at
    elapsed = seen is not None and now - seen >= wait
    forgiven = cursor.horizon if elapsed else cursor.position
    taken: list[int] = []
    expected = cursor.position + 1
    for pk in ids:
        if pk != expected and pk - 1 > forgiven:
            break
        taken.append(pk)
        expected = pk + 1
    if taken:
        cursor.position = taken[-1]
    if len(taken) == len(ids):
        cursor.horizon, cursor.horizon_seen_at = cursor.position, None
    elif seen is None or elapsed:
        # Stopped at a missing id: wait for it, and everything seen so far, from now.
        cursor.horizon, cursor.horizon_seen_at = ids[-1], now
    return taken


def has_subscribers() -> bool:
    return WebhookSubscription.objects.filter(is_active=True).exists()


def skip_unsubscribed(source: str) -> int:
    """Moves the cursor to the newest event without reading any; 1 if it moved.

    One statement, conditioned on there still being no active subscription, so a
    subscription committed before it runs keeps every event from after its creation."""
    model = ReferralEvent if source == EventSource.REFERRAL else AgentStatusEvent
    newest = Subquery(model.objects.order_by("-pk").values("pk")[:1])
    return (
        FanOutCursor.objects.filter(source=source, position__lt=newest)
        .exclude(Exists(WebhookSubscription.objects.filter(is_active=True)))
        .update(position=newest, horizon=newest, horizon_seen_at=None)
    )


def _referral_events(after: int) -> list[Row]:
    rows = (
        ReferralEvent.objects.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "kind", "referral__partner_key_id", "at")[:BATCH]
    )
    return [(pk, REFERRAL_TYPES.get(kind, ""), partner, at) for pk, kind, partner, at in rows]


def _agent_events(after: int) -> list[Row]:
    rows = (
        AgentStatusEvent.objects.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "kind", "at")[:BATCH]
    )
    return [(pk, AGENT_TYPES.get(kind, ""), None, at) for pk, kind, at in rows]


def fan_out_source(source: str, *, now: datetime) -> int:
    """One batch of one source; returns how many events it moved past (0: nothing to do,
    another worker holds the cursor, or waiting at a missing id)."""
    with transaction.atomic(durable=True):
        cursor = FanOutCursor.objects.select_for_update(skip_locked=True).filter(source=source)
        locked = cursor.first()
        if locked is None and not FanOutCursor.objects.filter(source=source).exists():
            # The source's first fan-out: its cursor row (a concurrent worker's insert
            # waits for ours to commit, then does nothing).
            FanOutCursor.objects.bulk_create([FanOutCursor(source=source)], ignore_conflicts=True)
            locked = cursor.first()
        if locked is None:
            return 0
        read = _referral_events if source == EventSource.REFERRAL else _agent_events
        events = {row[0]: row for row in read(locked.position)}
        if not events:
            return 0  # nothing new: the idle loop writes nothing
        taken = next_ids(locked, list(events), now=now)
        subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
        deliveries = [
            WebhookDelivery(
                subscription=sub,
                source=source,
                event_id=pk,
                event_type=event_type,
                created_at=now,
                next_attempt_at=now,
            )
            for pk in taken
            for _pk, event_type, partner_id, at in [events[pk]]
            if event_type
            for sub in subscriptions
            if event_type in sub.event_types
            and sub.created_at <= at
            and (source != EventSource.REFERRAL or sub.partner_id == partner_id)
        ]
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        locked.save(update_fields=["position", "horizon", "horizon_seen_at"])
    return len(taken)
