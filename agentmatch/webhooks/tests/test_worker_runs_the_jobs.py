"""The worker (core.jobs) runs the webhooks' jobs without knowing the app: fan-out then
delivery in one turn, so an event goes out in the turn after it was written."""

import pytest
from django.utils import timezone

from agentmatch.core.jobs import registered, run_due_jobs
from agentmatch.webhooks.models import DeliveryState, WebhookDelivery
from agentmatch.webhooks.tests.helpers import partner_referral, subscribe

pytestmark = pytest.mark.django_db


def test_one_worker_turn_fans_out_and_delivers(plan_year, partner, administrator, receiver):
    names = [job.name for job in registered()]
    assert names.index("fan out webhook events") < names.index("deliver webhooks")
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    partner_referral(partner, now=now)

    run_due_jobs(now=now)

    assert WebhookDelivery.objects.get().state == DeliveryState.DELIVERED
    assert len(receiver.received) == 1
