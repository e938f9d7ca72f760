"""A consumer's details go in a webhook only when the subscription asks for them and the
partner is allowed them; each such delivery is a disclosure on /ops/disclosures/."""

import json

import pytest
from django.utils import timezone

from agentmatch.referrals.models import ContactDisclosure
from agentmatch.webhooks.subscriptions import SubscriptionError
from agentmatch.webhooks.tests.helpers import partner_referral, run_worker, subscribe

pytestmark = pytest.mark.django_db


def test_a_partner_not_allowed_cannot_ask_for_consumer_details(partner, administrator, receiver):
    with pytest.raises(SubscriptionError) as refused:
        subscribe(
            partner=partner, url=receiver.url, by=administrator, now=timezone.now(), details=True
        )
    assert refused.value.field == "include_consumer_details"


def test_an_allowed_partner_gets_the_details_and_the_disclosure_is_recorded(
    plan_year, partner, administrator, receiver
):
    partner.may_receive_consumer_details = True
    partner.save()
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now, details=True)
    referral = partner_referral(partner, now=now)

    run_worker(now)

    consumer = json.loads(receiver.received[0].body)["data"]["consumer"]
    assert consumer["phone"] == referral.phone
    assert consumer["first_name"] == referral.first_name
    disclosure = ContactDisclosure.objects.get(partner=partner)
    assert disclosure.referral_id == referral.pk
    assert disclosure.agent is None and disclosure.channel == "webhook"


def test_details_stop_when_the_partner_loses_the_permission(
    plan_year, partner, administrator, receiver
):
    partner.may_receive_consumer_details = True
    partner.save()
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now, details=True)
    partner.may_receive_consumer_details = False
    partner.save()
    partner_referral(partner, now=now)

    run_worker(now)

    assert "consumer" not in json.loads(receiver.received[0].body)["data"]
    assert not ContactDisclosure.objects.filter(partner=partner).exists()


def test_without_asking_an_allowed_partner_gets_no_details(
    plan_year, partner, administrator, receiver
):
    partner.may_receive_consumer_details = True
    partner.save()
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    partner_referral(partner, now=now)
    run_worker(now)
    assert "consumer" not in json.loads(receiver.received[0].body)["data"]
    assert not ContactDisclosure.objects.exists()
