"""The webhooks' own actions for the worker: the fan-out (fanout.py) and delivery
(delivery.py) own their transactions; this one deletes what outlived its purpose."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from agentmatch.eligibility.models import AgentStatusEvent
from agentmatch.webhooks.models import DeliveryState, FanOutCursor, WebhookDelivery

BATCH = 1000


def delete_old_deliveries(*, now: datetime) -> int:
    """Finished deliveries older than WEBHOOKS_DELIVERY_RETENTION_DAYS, and agent status
    events that old the fan-out has read, one batch; returns how many rows went."""
    cutoff = now - timedelta(days=settings.WEBHOOKS_DELIVERY_RETENTION_DAYS)
    with transaction.atomic(durable=True):
        old = list(
            WebhookDelivery.objects.filter(created_at__lt=cutoff)
            .exclude(state=DeliveryState.PENDING)
            .values_list("pk", flat=True)[:BATCH]
        )
        deleted, _ = WebhookDelivery.objects.filter(pk__in=old).delete()
        read = FanOutCursor.objects.filter(source="agent").values_list("position", flat=True)
        position = read.first() or 0
        events = list(
            AgentStatusEvent.objects.filter(at__lt=cutoff, pk__lte=position).values_list(
                "pk", flat=True
            )[:BATCH]
        )
        gone, _ = AgentStatusEvent.objects.filter(pk__in=events).delete()
    return deleted + gone
