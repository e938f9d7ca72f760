"""A partner's receiver gets each event it chose, signed, once; a failing receiver gets it
again later, with backoff, until the attempts run out."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.webhooks.models import DeliveryState, WebhookDelivery
from agentmatch.webhooks.signing import verify
from agentmatch.webhooks.tests.helpers import partner_referral, run_worker, subscribe

pytestmark = pytest.mark.django_db


def test_the_receiver_gets_the_event_signed_with_the_secret_shown_once(
    plan_year, partner, administrator, receiver
):
    now = timezone.now()
    _sub, secret = subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    referral = partner_referral(partner, now=now)

    assert run_worker(now) == 1

    (got,) = receiver.received
    assert verify(secret, got.headers["AgentMatch-Signature"], got.body, now=int(now.timestamp()))
    assert not verify(
        "whsec_wrong", got.headers["AgentMatch-Signature"], got.body, now=int(now.timestamp())
    )
    assert got.headers["AgentMatch-Event"] == "referral.created"
    body = json.loads(got.body)
    assert body["type"] == "referral.created"
    assert body["id"] == got.headers["AgentMatch-Delivery"]
    assert body["data"]["id"] == str(referral.public_id)
    assert body["data"]["state"] == referral.state
    assert "consumer" not in body["data"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.last_status_code == 200
    # The answer's excerpt is kept short and redacted (the phone masked).
    assert "0199" in delivery.response_excerpt and "555 0199" not in delivery.response_excerpt


def test_the_secret_is_stored_encrypted(partner, administrator, receiver):
    sub, secret = subscribe(partner=partner, url=receiver.url, by=administrator, now=timezone.now())
    stored = sub.secrets.get().encrypted
    assert secret.startswith("whsec_") and secret not in stored


def test_a_receiver_answering_500_gets_the_event_again_after_a_backoff(
    plan_year, partner, administrator, receiver
):
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    partner_referral(partner, now=now)
    receiver.statuses = [500]

    run_worker(now)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at > now
    assert run_worker(now) == 0  # not due yet

    run_worker(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.headers["AgentMatch-Delivery"] == second.headers["AgentMatch-Delivery"]


def test_after_the_last_attempt_the_delivery_fails(
    plan_year, partner, administrator, receiver, settings
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    partner_referral(partner, now=now)
    receiver.statuses = [503] * 10

    for _ in range(5):
        run_worker(now)
        now += timedelta(hours=2)

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 3
    assert len(receiver.received) == 3


def test_a_redirect_is_not_followed(plan_year, partner, administrator, receiver, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    partner_referral(partner, now=now)
    receiver.statuses = [302]
    run_worker(now)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    assert "redirects are not followed" in delivery.last_error
    assert len(receiver.received) == 1


def test_a_subscription_gets_only_the_events_it_chose(plan_year, partner, administrator, receiver):
    now = timezone.now()
    subscribe(
        partner=partner, url=receiver.url, by=administrator, now=now, events=("referral.canceled",)
    )
    partner_referral(partner, now=now)
    run_worker(now)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_partner_hears_only_of_its_own_referrals(plan_year, partner, administrator, receiver):
    now = timezone.now()
    subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    from agentmatch.testing import make_referral

    make_referral(now=now)  # from the public form: no partner
    run_worker(now)
    assert receiver.received == []


def test_no_secret_and_no_consumer_phone_in_the_logs(
    plan_year, partner, administrator, receiver, caplog
):
    caplog.set_level(logging.DEBUG)
    now = timezone.now()
    partner.may_receive_consumer_details = True
    partner.save()
    _sub, secret = subscribe(
        partner=partner, url=receiver.url, by=administrator, now=now, details=True
    )
    referral = partner_referral(partner, now=now)
    receiver.statuses = [500]
    run_worker(now)
    run_worker(now + timedelta(hours=2))
    assert len(receiver.received) == 2
    signature = receiver.received[0].headers["AgentMatch-Signature"]
    assert secret not in caplog.text
    assert signature.split("v1=")[1] not in caplog.text
    assert referral.phone not in caplog.text
    assert "webhook delivery" in caplog.text
