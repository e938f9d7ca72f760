"""A message put in an outbox with nothing else due wakes an idle worker at once on
PostgreSQL (a trigger on the outbox notifies at commit), whichever way it was inserted;
one queued behind due messages does not (the workers are busy with those)."""

import time

import pytest
from django.utils import timezone

from agentmatch.core.tests.test_worker_scheduling import in_another_connection
from agentmatch.core.wakeup import Waiter
from agentmatch.notifications.messages import insert_new
from agentmatch.notifications.models import Message
from agentmatch.notifications.outbox import enqueue

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def message(n: int) -> Message:
    now = timezone.now()
    return Message(
        channel="email", to=f"a{n}@example.com", kind="test", created_at=now, next_attempt_at=now
    )


@pytest.mark.parametrize(
    "insert",
    [
        lambda: enqueue(channel="email", to="a@example.com", kind="test", now=timezone.now()),
        lambda: Message.objects.bulk_create([message(1), message(2)]),
        lambda: insert_new([message(1), message(2)]),
    ],
    ids=["one message", "one insert of several", "intake's prepared insert"],
)
def test_a_new_outbox_message_wakes_an_idle_worker(insert) -> None:  # type: ignore[no-untyped-def]
    waiter = Waiter()
    waiter.wait(0.01)  # listening
    thread = in_another_connection(insert)
    started = time.monotonic()
    assert waiter.wait(10) is True
    assert time.monotonic() - started < 2
    thread.join()


def test_a_message_queued_behind_due_ones_wakes_nobody() -> None:
    """A worker with due messages is not idle: no NOTIFY (each one serialises commits)."""
    Message.objects.bulk_create([message(1)])  # due, not sent yet: a backlog
    waiter = Waiter()
    waiter.wait(0.01)
    thread = in_another_connection(lambda: Message.objects.bulk_create([message(2)]))
    assert waiter.wait(0.8) is False
    thread.join()
