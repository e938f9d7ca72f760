"""Shared steps of the webhook tests: a subscription made the console's way, a partner's
referral, the worker's jobs run until nothing is due."""

from datetime import datetime

from django.db import transaction

from agentmatch.partners.models import PartnerKey
from agentmatch.referrals.models import Referral
from agentmatch.testing import make_referral
from agentmatch.webhooks import subscriptions
from agentmatch.webhooks.delivery import deliver_one
from agentmatch.webhooks.fanout import SOURCES, fan_out_source
from agentmatch.webhooks.models import WebhookSubscription


def subscribe(
    *,
    partner: PartnerKey,
    url: str,
    by: object,
    now: datetime,
    events: tuple[str, ...] = ("referral.created",),
    details: bool = False,
) -> tuple[WebhookSubscription, str]:
    with transaction.atomic():
        return subscriptions.create(
            partner_id=partner.pk,
            url=url,
            event_types=events,
            include_consumer_details=details,
            created_by_id=by.pk,  # type: ignore[attr-defined]
            now=now,
        )


def partner_referral(partner: PartnerKey, *, now: datetime) -> Referral:
    referral = make_referral(now=now)
    Referral.objects.filter(pk=referral.pk).update(partner_key=partner)
    referral.refresh_from_db()
    return referral


def run_worker(now: datetime) -> int:
    """Fans every source out, then delivers every due delivery; how many were sent."""
    while any(fan_out_source(source, now=now) for source in SOURCES):
        pass
    sent = 0
    while deliver_one(now):
        sent += 1
    return sent
