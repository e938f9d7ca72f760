"""Administrators' webhook controls (/ops/webhooks/): create a subscription, rotate its
secret, deactivate it, send it a test event, send a failed delivery again, and say whether
a partner may receive consumers' details.

Each action opens its own durable transaction around a webhooks.subscriptions step and
writes its ControlChange row there. The audit rows name the subscription, its partner and
URL host, never a secret. A refusal is a SubscriptionError naming the field, with nothing
written.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from agentmatch.accounts.models import User
from agentmatch.operations.models import ControlChange, ControlKind
from agentmatch.partners.models import PartnerKey
from agentmatch.webhooks import subscriptions
from agentmatch.webhooks.models import WebhookDelivery, WebhookSubscription
from agentmatch.webhooks.subscriptions import SubscriptionError


@dataclass(frozen=True)
class WithSecret:
    subscription: WebhookSubscription
    secret: str  # shown once on the page that answers the action, never stored in clear


def _audit(*, operator: User, kind: str, subject: str, detail: dict, now: datetime) -> None:
    ControlChange.objects.create(
        operator=operator, kind=kind, subject=subject[:200], detail=detail, at=now
    )


def _subject(subscription: WebhookSubscription) -> str:
    host = urlsplit(subscription.url).hostname or "?"
    return f"webhook {subscription.pk} ({subscription.partner.name}, {host})"


def create_webhook(
    *,
    operator: User,
    partner_id: int,
    url: str,
    event_types: list[str],
    include_consumer_details: bool,
    now: datetime,
) -> WithSecret:
    with transaction.atomic(durable=True):
        subscription, secret = subscriptions.create(
            partner_id=partner_id,
            url=url,
            event_types=event_types,
            include_consumer_details=include_consumer_details,
            created_by_id=operator.pk,
            now=now,
        )
        _audit(
            operator=operator,
            kind=ControlKind.WEBHOOK_CREATED,
            subject=_subject(subscription),
            detail={
                "partner": subscription.partner_id,
                # Without its query: a receiver's URL may carry a token of its own.
                "url": subscription.url.split("?", 1)[0],
                "event_types": subscription.event_types,
                "include_consumer_details": include_consumer_details,
            },
            now=now,
        )
    return WithSecret(subscription, secret)


def rotate_webhook_secret(*, operator: User, subscription_id: int, now: datetime) -> WithSecret:
    with transaction.atomic(durable=True):
        subscription, secret = subscriptions.rotate(subscription_id=subscription_id, now=now)
        _audit(
            operator=operator,
            kind=ControlKind.WEBHOOK_ROTATED,
            subject=_subject(subscription),
            detail={"subscription": subscription.pk},
            now=now,
        )
    return WithSecret(subscription, secret)


def deactivate_webhook(
    *, operator: User, subscription_id: int, now: datetime
) -> WebhookSubscription:
    with transaction.atomic(durable=True):
        subscription = subscriptions.deactivate(subscription_id=subscription_id, now=now)
        _audit(
            operator=operator,
            kind=ControlKind.WEBHOOK_DEACTIVATED,
            subject=_subject(subscription),
            detail={"subscription": subscription.pk},
            now=now,
        )
    return subscription


def send_test_event(*, operator: User, subscription_id: int, now: datetime) -> WebhookDelivery:
    with transaction.atomic(durable=True):
        delivery = subscriptions.queue_test(subscription_id=subscription_id, now=now)
        _audit(
            operator=operator,
            kind=ControlKind.WEBHOOK_TEST,
            subject=_subject(delivery.subscription),
            detail={"subscription": subscription_id, "delivery": delivery.pk},
            now=now,
        )
    return delivery


def redeliver_webhook(*, operator: User, delivery_id: int, now: datetime) -> WebhookDelivery:
    with transaction.atomic(durable=True):
        delivery = subscriptions.redeliver(delivery_id=delivery_id, now=now)
        _audit(
            operator=operator,
            kind=ControlKind.WEBHOOK_REDELIVERED,
            subject=f"delivery {delivery.pk} ({delivery.event_type})",
            detail={"subscription": delivery.subscription_id, "delivery": delivery.pk},
            now=now,
        )
    return delivery


def set_partner_consumer_details(
    *, operator: User, partner_id: int, allowed: bool, now: datetime
) -> PartnerKey:
    """Whether the partner's webhooks may carry consumers' details (a subscription must
    still ask for them); turning it off stops them at the next delivery."""
    with transaction.atomic(durable=True):
        partner = PartnerKey.objects.select_for_update().filter(pk=partner_id).first()
        if partner is None:
            raise SubscriptionError("partner", _("No such partner."))
        changed = (
            PartnerKey.objects.filter(pk=partner_id)
            .exclude(may_receive_consumer_details=allowed)
            .update(may_receive_consumer_details=allowed)
        )
        if changed:
            _audit(
                operator=operator,
                kind=ControlKind.PARTNER_CONSUMER_DETAILS,
                subject=f"partner {partner.name} ({partner.prefix})",
                detail={"partner": partner.pk, "allowed": allowed},
                now=now,
            )
        partner.may_receive_consumer_details = allowed
    return partner
