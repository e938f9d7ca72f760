"""After a rotation both secrets sign until the overlap ends, then only the new one."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.webhooks import subscriptions
from agentmatch.webhooks.signing import verify
from agentmatch.webhooks.tests.helpers import partner_referral, run_worker, subscribe

pytestmark = pytest.mark.django_db


def test_during_the_overlap_both_secrets_sign_then_only_the_new_one(
    plan_year, partner, administrator, receiver, settings
):
    settings.WEBHOOKS_SECRET_OVERLAP_HOURS = 24
    now = timezone.now()
    sub, old = subscribe(partner=partner, url=receiver.url, by=administrator, now=now)
    with transaction.atomic():
        _sub, new = subscriptions.rotate(subscription_id=sub.pk, now=now)
    assert new != old

    partner_referral(partner, now=now)
    run_worker(now)
    got = receiver.received[-1]
    header = got.headers["AgentMatch-Signature"]
    assert header.count("v1=") == 2
    at = int(now.timestamp())
    assert verify(old, header, got.body, now=at) and verify(new, header, got.body, now=at)

    later = now + timedelta(hours=25)
    partner_referral(partner, now=later)
    run_worker(later)
    got = receiver.received[-1]
    header = got.headers["AgentMatch-Signature"]
    assert header.count("v1=") == 1
    at = int(later.timestamp())
    assert verify(new, header, got.body, now=at) and not verify(old, header, got.body, now=at)


def test_a_stale_signature_timestamp_does_not_verify(partner, administrator, receiver):
    from agentmatch.webhooks.signing import signature_header

    header = signature_header(["whsec_x"], 1_000_000, b"{}")
    assert verify("whsec_x", header, b"{}", now=1_000_100)
    assert not verify("whsec_x", header, b"{}", now=1_000_000 + 301)
    assert not verify("whsec_x", header, b"{ }", now=1_000_000)
