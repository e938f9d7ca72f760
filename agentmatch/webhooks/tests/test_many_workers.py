"""Several workers fanning out and delivering at once send each event to each subscription
once (PostgreSQL row locks: SKIP LOCKED on the cursor and on the deliveries)."""

from collections import Counter

import pytest
from django.utils import timezone

from agentmatch.testing import at_the_same_moment
from agentmatch.webhooks.delivery import deliver_one
from agentmatch.webhooks.fanout import SOURCES, fan_out_source
from agentmatch.webhooks.models import DeliveryState, WebhookDelivery
from agentmatch.webhooks.tests.helpers import partner_referral, subscribe

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_four_workers_deliver_each_event_once(plan_year, partner, administrator, receiver):
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    referrals = [partner_referral(partner, now=now) for _ in range(12)]

    def worker(_i: int) -> int:
        sent = 0
        for _round in range(3):
            for source in SOURCES:
                while fan_out_source(source, now=now):
                    pass
            while deliver_one(now):
                sent += 1
        return sent

    results = at_the_same_moment(4, worker)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == len(referrals)
    assert WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).count() == len(referrals)
    ids = Counter(r.headers["AgentMatch-Delivery"] for r in receiver.received)
    assert len(ids) == len(referrals) and set(ids.values()) == {1}
