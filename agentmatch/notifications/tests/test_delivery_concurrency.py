"""Several delivery workers at once never send one message twice (PostgreSQL row locks)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.models import Channel, DeliveryAttempt, Message, MessageStatus
from agentmatch.notifications.outbox import enqueue
from agentmatch.notifications.tests.stubs import TwilioStub
from agentmatch.testing import at_the_same_moment

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_eight_workers_send_each_of_200_messages_exactly_once(twilio: TwilioStub) -> None:
    now = timezone.now()
    for i in range(200):
        enqueue(channel=Channel.SMS, to=f"+1608555{i:04d}", kind="offer_new", now=now, body="x")
    # A few failures on the way: retried messages must not be sent twice either.
    twilio.fail(503, times=10)

    def worker(_i: int) -> int:
        done = 0
        clock = timezone.now()
        while deliver_one(clock):
            done += 1
        return done

    results = at_the_same_moment(8, worker)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 200  # one claim per message: the failed wait out their backoff
    # The failed ones are due again after their backoff: deliver them now.
    later = timezone.now() + timedelta(hours=1)
    while deliver_one(later):
        pass
    sent_to = Counter(text.to for text in twilio.texts)
    assert len(sent_to) == 200
    assert max(sent_to.values()) == 1
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 200
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 200
    assert DeliveryAttempt.objects.filter(outcome="temporary").count() == 10
