"""With no active webhook subscription the worker's fan-out reads no event: its cursors
move to the newest event in one statement each, and a subscription made afterwards gets
what happens from then on."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agentmatch.referrals.models import ReferralEvent
from agentmatch.testing import make_partner
from agentmatch.webhooks.jobs import fan_out_job
from agentmatch.webhooks.models import FanOutCursor, WebhookDelivery
from agentmatch.webhooks.tests.helpers import partner_referral, run_worker, subscribe

pytestmark = pytest.mark.django_db


def test_no_subscription_no_event_read_and_the_cursor_skips_to_the_newest(plan_year) -> None:
    now = timezone.now()
    partner = make_partner()
    fan_out_job(now)  # nothing yet
    for _ in range(3):
        partner_referral(partner, now=now)

    with CaptureQueriesContext(connection) as queries:
        assert fan_out_job(now) is False
    assert len(queries) <= 3
    assert not any('FROM "referrals_referralevent" WHERE' in q["sql"] for q in queries)
    newest = ReferralEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    if FanOutCursor.objects.filter(source="referral").exists():
        assert FanOutCursor.objects.get(source="referral").position == newest
    # Nothing new: the turn writes nothing.
    with CaptureQueriesContext(connection) as queries:
        assert fan_out_job(now) is False
    assert not any(q["sql"].startswith("INSERT") for q in queries)


def test_a_subscription_made_after_the_skip_gets_what_happens_next(
    plan_year, partner, administrator, receiver
) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    run_worker(now)
    partner_referral(partner, now=now)
    fan_out_job(now)  # skipped: nobody subscribed

    later = now + timedelta(seconds=5)
    subscribe(partner=partner, url=receiver.url, by=administrator, now=later)
    referral = partner_referral(partner, now=later + timedelta(seconds=1))
    while fan_out_job(later + timedelta(seconds=2)):
        pass
    deliveries = list(WebhookDelivery.objects.values_list("event_type", "event_id"))
    created = ReferralEvent.objects.get(referral=referral, kind="created").pk
    assert deliveries == [("referral.created", created)]
