"""Partners' webhook subscriptions, their signing secrets, the fan-out cursors and the
delivery log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from agentmatch.partners.models import PartnerKey


class EventType(models.TextChoices):
    """The closed set a subscription chooses from (docs/webhooks.md)."""

    REFERRAL_CREATED = "referral.created", "referral.created"
    REFERRAL_OFFERED = "referral.offered", "referral.offered"
    REFERRAL_ACCEPTED = "referral.accepted", "referral.accepted"
    REFERRAL_UNMATCHED = "referral.unmatched", "referral.unmatched"
    REFERRAL_CANCELED = "referral.canceled", "referral.canceled"
    AGENT_ELIGIBILITY_CHANGED = "agent.eligibility_changed", "agent.eligibility_changed"
    AGENT_AVAILABILITY_CHANGED = "agent.availability_changed", "agent.availability_changed"


# Sent only by the console's "Send test event", to one subscription, whatever it chose.
TEST_EVENT = "webhook.test"


class WebhookSubscription(models.Model):
    partner = models.ForeignKey(PartnerKey, on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField(max_length=500)
    # A list of EventType values (validated by webhooks/subscriptions.py).
    event_types = models.JSONField(default=list)
    # Asked by an administrator; honoured only while the partner may receive them.
    include_consumer_details = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, deactivated_at__isnull=True)
                | Q(is_active=False, deactivated_at__isnull=False),
                name="webhook_deactivation_dated",
            )
        ]

    def __str__(self) -> str:
        return f"webhook {self.pk} of {self.partner_id} to {self.url}"


class WebhookSecret(models.Model):
    """A signing secret, encrypted (webhooks/signing_secrets.py). After a rotation the old one
    signs too until `retires_at`, so a receiver can switch over without losing events."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="secrets"
    )
    encrypted = models.TextField()
    created_at = models.DateTimeField()
    retires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subscription", "created_at"], name="webhook_secrets")]


class EventSource(models.TextChoices):
    REFERRAL = "referral", "Referral events"
    AGENT = "agent", "Agent status events"
    TEST = "test", "Test events"


class FanOutCursor(models.Model):
    """How far the fan-out has read one source's event table, by id.

    Ids are assigned at insert but become visible at commit, so a smaller id may appear
    after a bigger one was read: `horizon` is the biggest id seen when the fan-out first
    met a missing id, `horizon_seen_at` when. Missing ids up to the horizon are given up
    on once WEBHOOKS_EVENT_GAP_SECONDS have passed (rolled back, or deleted)."""

    source = models.CharField(max_length=10, choices=EventSource.choices, unique=True)
    position = models.BigIntegerField(default=0)
    horizon = models.BigIntegerField(default=0)
    horizon_seen_at = models.DateTimeField(null=True, blank=True)


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one subscription, with its attempts so far.

    The payload is built when the delivery is claimed from the event row (so consumer
    details are never stored here); `last_error` and `response_excerpt` are short and
    redacted."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    source = models.CharField(max_length=10, choices=EventSource.choices)
    event_id = models.BigIntegerField()
    event_type = models.CharField(max_length=40)
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "source", "event_id"], name="webhook_event_once"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="webhook_delivery_state_known"
            ),
            models.CheckConstraint(
                condition=Q(state="delivered", delivered_at__isnull=False)
                | (~Q(state="delivered") & Q(delivered_at__isnull=True)),
                name="webhook_delivered_dated",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="webhook_deliveries_due",
            ),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.source}:{self.event_id} to {self.subscription_id}"
