"""Many rows in one statement (core/bulk.py) store exactly what Django's bulk_create and
bulk_update would: every type the hot paths write, awkward text included."""

from datetime import UTC, datetime, timedelta

import pytest

from agentmatch.core.bulk import insert_rows, update_rows
from agentmatch.notifications.models import DeliveryStatus, Message

pytestmark = pytest.mark.django_db

AWKWARD = 'O\'Brien "quoted" \\ back\\slash, ñandú, 漢字, emoji 🙂, tab\tnewline\n%s %(x)s'
WHEN = datetime(2026, 11, 30, 23, 59, 59, 123456, tzinfo=UTC)


def outbox_row(n: int) -> Message:
    return Message(
        channel="email",
        to=f"person{n}@example.com",
        kind="offer_new",
        subject=AWKWARD[:300],
        body=AWKWARD * 3,
        payload={"title": AWKWARD, "nested": {"list": [1, 2.5, None, True]}},
        context={"offer": n},
        dedupe_key=f"event:{n}",
        created_at=WHEN,
        next_attempt_at=WHEN,
    )


def test_inserted_rows_read_back_as_given_and_a_taken_key_is_left_out() -> None:
    assert insert_rows(Message, [outbox_row(1), outbox_row(2)]) == 2
    inserted = insert_rows(Message, [outbox_row(2), outbox_row(3)], ignore_conflicts=True)

    assert inserted in (1, 2)  # PostgreSQL counts what it inserted; SQLite what it was given
    rows = list(Message.objects.order_by("dedupe_key"))
    assert [m.dedupe_key for m in rows] == ["event:1", "event:2", "event:3"]
    for message in rows:
        assert (message.subject, message.body) == (AWKWARD[:300], AWKWARD * 3)
        assert message.payload == {"title": AWKWARD, "nested": {"list": [1, 2.5, None, True]}}
        assert (message.created_at, message.delivery_status) == (WHEN, DeliveryStatus.UNKNOWN)


def test_updated_rows_get_each_their_own_values_and_nothing_else_changes() -> None:
    insert_rows(Message, [outbox_row(n) for n in range(3)])
    first, second, third = Message.objects.order_by("dedupe_key")
    first.body, first.payload, first.attempts = "short", {}, 3
    second.body, second.payload, second.attempts = AWKWARD[::-1], {"x": [AWKWARD]}, 7
    first.sent_at, second.sent_at = WHEN + timedelta(seconds=1), None

    assert update_rows(Message, [first, second], ["body", "payload", "attempts", "sent_at"]) == 2

    first, second, untouched = Message.objects.order_by("dedupe_key")
    assert (first.body, first.payload, first.attempts) == ("short", {}, 3)
    assert first.sent_at == WHEN + timedelta(seconds=1)
    assert (second.body, second.payload, second.attempts) == (AWKWARD[::-1], {"x": [AWKWARD]}, 7)
    assert second.sent_at is None
    assert (second.subject, second.context) == (AWKWARD[:300], {"offer": 1})
    assert (untouched.body, untouched.attempts) == (AWKWARD * 3, 0)
    assert third.body == untouched.body


def test_nothing_to_write_runs_no_statement(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        assert insert_rows(Message, []) == 0
        assert update_rows(Message, [], ["body"]) == 0
