"""A deactivated subscription gets nothing more; finished deliveries and read agent status
events go after the retention period, waiting deliveries never."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.eligibility.models import AgentStatusEvent
from agentmatch.testing import make_agent
from agentmatch.webhooks import subscriptions
from agentmatch.webhooks.actions import delete_old_deliveries
from agentmatch.webhooks.delivery import deliver_one
from agentmatch.webhooks.fanout import SOURCES, fan_out_source
from agentmatch.webhooks.models import DeliveryState, WebhookDelivery
from agentmatch.webhooks.tests.helpers import partner_referral, run_worker, subscribe

pytestmark = pytest.mark.django_db


def test_a_deactivated_subscription_gets_nothing_more(plan_year, partner, administrator, receiver):
    now = timezone.now()
    sub, _secret = subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    partner_referral(partner, now=now)
    for source in SOURCES:
        fan_out_source(source, now=now)
    with transaction.atomic():
        subscriptions.deactivate(subscription_id=sub.pk, now=now)
    while deliver_one(now):
        pass
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error == "the subscription was deactivated"
    partner_referral(partner, now=now)
    run_worker(now)
    assert WebhookDelivery.objects.count() == 1


def test_old_finished_deliveries_and_read_agent_events_are_deleted(
    plan_year, partner, administrator, receiver, settings
):
    settings.WEBHOOKS_DELIVERY_RETENTION_DAYS = 30
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    partner_referral(partner, now=now)
    make_agent(zip_code="53703", now=now)
    run_worker(now)
    receiver.statuses = [500]
    partner_referral(partner, now=now)
    run_worker(now)  # this one waits for its retry
    assert AgentStatusEvent.objects.exists()

    later = now + timedelta(days=31)
    AgentStatusEvent.objects.update(at=now)
    assert delete_old_deliveries(now=later) > 0
    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == ["pending"]
    assert not AgentStatusEvent.objects.exists()
    assert delete_old_deliveries(now=now + timedelta(days=29)) == 0
