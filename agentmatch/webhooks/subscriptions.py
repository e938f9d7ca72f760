"""The steps behind the administrators' webhook controls (operations/webhook_actions.py
owns each one's transaction and audit row). None of them commits.

Every refusal is a SubscriptionError naming the field and the problem in words.
"""

import secrets as random
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from agentmatch.partners.models import PartnerKey
from agentmatch.webhooks.addresses import AddressRefused, check_url, resolve
from agentmatch.webhooks.models import (
    TEST_EVENT,
    DeliveryState,
    EventSource,
    EventType,
    WebhookDelivery,
    WebhookSecret,
    WebhookSubscription,
)
from agentmatch.webhooks.signing_secrets import add_secret


class SubscriptionError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def checked_url(url: str) -> str:
    """The URL, if webhooks may go there (its name resolved now, to allowed addresses)."""
    try:
        parts = check_url(url)
        resolve(parts.hostname or "", parts.port or 443)
    except AddressRefused as exc:
        raise SubscriptionError("url", exc.message) from None
    return url.strip()


def checked_event_types(chosen: Iterable[str]) -> list[str]:
    types = sorted(set(chosen))
    if not types:
        raise SubscriptionError("event_types", _("Choose at least one event."))
    unknown = [t for t in types if t not in EventType.values]
    if unknown:
        raise SubscriptionError(
            "event_types", _("Unknown event: %(name)s.") % {"name": ", ".join(unknown)}
        )
    return types


def create(
    *,
    partner_id: int,
    url: str,
    event_types: Iterable[str],
    include_consumer_details: bool,
    created_by_id: int,
    now: datetime,
) -> tuple[WebhookSubscription, str]:
    """The new subscription and its secret (shown once, never again)."""
    partner = PartnerKey.objects.filter(pk=partner_id, revoked_at__isnull=True).first()
    if partner is None:
        raise SubscriptionError("partner", _("Choose a partner whose key is not revoked."))
    if include_consumer_details and not partner.may_receive_consumer_details:
        raise SubscriptionError(
            "include_consumer_details",
            _("This partner is not allowed to receive consumers' details."),
        )
    subscription = WebhookSubscription.objects.create(
        partner=partner,
        url=checked_url(url),
        event_types=checked_event_types(event_types),
        include_consumer_details=include_consumer_details,
        created_by_id=created_by_id,
        created_at=now,
    )
    return subscription, add_secret(subscription=subscription, now=now)


def _active(subscription_id: int) -> WebhookSubscription:
    subscription = (
        WebhookSubscription.objects.select_for_update()
        .filter(pk=subscription_id, is_active=True)
        .first()
    )
    if subscription is None:
        raise SubscriptionError("subscription", _("This subscription is not active."))
    return subscription


def rotate(*, subscription_id: int, now: datetime) -> tuple[WebhookSubscription, str]:
    """A new secret; the current ones keep signing until the overlap ends."""
    subscription = _active(subscription_id)
    overlap = now + timedelta(hours=settings.WEBHOOKS_SECRET_OVERLAP_HOURS)
    WebhookSecret.objects.filter(subscription=subscription).filter(
        Q(retires_at__isnull=True) | Q(retires_at__gt=overlap)
    ).update(retires_at=overlap)
    return subscription, add_secret(subscription=subscription, now=now)


def deactivate(*, subscription_id: int, now: datetime) -> WebhookSubscription:
    subscription = _active(subscription_id)
    changed = WebhookSubscription.objects.filter(pk=subscription.pk, is_active=True).update(
        is_active=False, deactivated_at=now
    )
    if changed != 1:
        raise SubscriptionError("subscription", _("This subscription is not active."))
    subscription.is_active, subscription.deactivated_at = False, now
    return subscription


def queue_test(*, subscription_id: int, now: datetime) -> WebhookDelivery:
    """A `webhook.test` delivery, sent by the worker through the same path as any event."""
    subscription = _active(subscription_id)
    return WebhookDelivery.objects.create(
        subscription=subscription,
        source=EventSource.TEST,
        # Test events have no row of their own: a random id, unique per subscription.
        event_id=random.randbits(53),
        event_type=TEST_EVENT,
        created_at=now,
        next_attempt_at=now,
    )


def redeliver(*, delivery_id: int, now: datetime) -> WebhookDelivery:
    """A failed delivery back to waiting, its attempts counted from zero again."""
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != DeliveryState.FAILED:
        raise SubscriptionError("delivery", _("Only a failed delivery can be sent again."))
    if not delivery.subscription.is_active:
        raise SubscriptionError("delivery", _("This subscription is not active."))
    changed = WebhookDelivery.objects.filter(pk=delivery_id, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=now, last_error=""
    )
    if changed != 1:
        raise SubscriptionError("delivery", _("Only a failed delivery can be sent again."))
    delivery.refresh_from_db()
    return delivery
