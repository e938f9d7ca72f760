"""Sending a channel's failed messages again while workers deliver and another
administrator clicks the same button: each message goes back once, and is sent once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.models import Channel, Message, MessageStatus
from agentmatch.notifications.tests.stubs import SmtpServer, smtp
from agentmatch.operations.models import ControlChange
from agentmatch.operations.outbox_actions import requeue_failed_messages
from agentmatch.operations.services import OperationError
from agentmatch.testing import at_the_same_moment, make_operator

__all__ = ["smtp"]

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_administrators_and_two_workers_at_once_send_each_message_once(
    plan_year, smtp: SmtpServer
) -> None:  # type: ignore[no-untyped-def]
    admins = [make_operator(username=f"admin{i}", role="administrator") for i in range(2)]
    made = timezone.now() - timedelta(minutes=10)
    for i in range(20):
        Message.objects.create(
            channel=Channel.EMAIL, to=f"agent{i}@example.com", kind="invitation", body="Hi",
            status=MessageStatus.FAILED, attempts=1, created_at=made, next_attempt_at=made,
        )  # fmt: skip
    now = timezone.now()

    def run(i: int) -> object:
        if i < 2:
            return requeue_failed_messages(operator=admins[i], channel="email", now=now)
        sent = 0
        for _ in range(40):  # workers keep polling while the requeue happens
            sent += bool(deliver_one(timezone.now()))
        return sent

    results = at_the_same_moment(4, run)
    requeued = [r for r in results[:2] if not isinstance(r, OperationError)]
    assert all(not isinstance(r, Exception) or isinstance(r, OperationError) for r in results)
    assert sum(len(r.resent) for r in requeued) == 20  # type: ignore[attr-defined]
    assert ControlChange.objects.filter(kind="messages_requeued").count() == len(requeued)
    while deliver_one(timezone.now()):
        pass
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 20
    expected = sorted(f"agent{i}@example.com" for i in range(20))
    assert sorted(m["To"] for m in smtp.inbox.messages) == expected
