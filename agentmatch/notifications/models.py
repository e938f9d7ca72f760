"""The outbox: every message to an agent or consumer, written in the same transaction as
the event that causes it, then delivered by the worker with retries and every attempt kept.

Infrastructure below referrals (core/tests/test_apps_depend_downward.py): the referral and
offer a message is about are named by their "app.Model" label, not imported.
"""

from django.db import models
from django.db.models import Q

from agentmatch.agents.models import Agent


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    PUSH = "push", "App notification"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Accepted by the provider"
    FAILED = "failed", "Gave up (permanent error or too many attempts)"
    SUPPRESSED = "suppressed", "Not sent: no longer relevant"


class DeliveryStatus(models.TextChoices):
    """What the provider later reports about a sent text (Twilio's status callbacks)."""

    UNKNOWN = "", "No report yet"
    QUEUED = "queued", "Queued at the provider"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Handed to the carrier"
    DELIVERED = "delivered", "Delivered to the phone"
    UNDELIVERED = "undelivered", "Not delivered (the carrier refused or could not reach it)"
    FAILED = "failed", "Failed at the provider"


# Reports may come out of order: a state only moves forward along these ranks.
DELIVERY_RANK = {
    DeliveryStatus.UNKNOWN: 0,
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.SENDING: 2,
    DeliveryStatus.SENT: 3,
    DeliveryStatus.DELIVERED: 4,
    DeliveryStatus.UNDELIVERED: 4,
    DeliveryStatus.FAILED: 4,
}
DELIVERY_FAILURES = (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)


class PushSubscription(models.Model):
    """A browser or installed app that receives Web Push for an agent."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    last_success_at = models.DateTimeField(null=True, blank=True)


class Message(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # What it is about, e.g. "offer_new", "offer_missed", "consumer_received".
    kind = models.CharField(max_length=40)
    # An email address, an E.164 phone number, or a PushSubscription id.
    to = models.CharField(max_length=1000)
    language = models.CharField(max_length=3, default="en")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)  # Web Push data
    # What the delivery worker renders the words from (ids, flags); empty once rendered.
    context = models.JSONField(default=dict, blank=True)

    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.CASCADE)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.CASCADE
    )
    # Messages about an offer are not sent once the offer is no longer pending.
    offer = models.ForeignKey("referrals.Offer", null=True, blank=True, on_delete=models.CASCADE)
    # One message per (event, channel, recipient): a retried event enqueues nothing twice.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # After "sent" (the provider took it): what the provider reports later, and its error.
    delivery_status = models.CharField(
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.UNKNOWN,
        # In the database too: the release still running during a rolling deploy inserts
        # messages without this column.
        db_default=DeliveryStatus.UNKNOWN,
        blank=True,
    )
    delivery_error_code = models.PositiveIntegerField(null=True, blank=True)
    delivery_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="message_due",
            ),
            # A delivery report names the message by the provider's id only.
            models.Index(
                fields=["provider_id"], condition=~Q(provider_id=""), name="message_by_provider_id"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="sent_has_time"
            ),
            models.CheckConstraint(
                condition=Q(delivery_status__in=DeliveryStatus.values),
                name="delivery_status_known",
            ),
            # An error code belongs to a failed delivery only.
            models.CheckConstraint(
                condition=Q(delivery_error_code__isnull=True)
                | Q(delivery_status__in=DELIVERY_FAILURES),
                name="delivery_error_only_on_failure",
            ),
        ]


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Accepted by the provider"
    TEMPORARY = "temporary", "Temporary error: will retry"
    PERMANENT = "permanent", "Permanent error: gave up"
    SUPPRESSED = "suppressed", "Not sent: the offer is no longer pending"


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_attempts")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices)
    provider_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # From the message's creation (the event) to this attempt's end, in milliseconds.
    latency_ms = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["channel", "finished_at"], name="attempts_by_channel")]


class UndeliverablePhone(models.Model):
    """A phone number texts cannot reach (the carrier said so): no more texts to it until an
    operator clears it or the agent saves their number again (notifications/undeliverable.py).

    Keyed by a hash of the E.164 number, never the number: the row names no one by itself
    (admin pages, database dumps), and needs no clean-up when consumer data is anonymised;
    whoever has a number finds its row.
    """

    phone_hash = models.CharField(max_length=64, unique=True)
    error_code = models.PositiveIntegerField()
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    # The text whose report revealed it (SET_NULL: the mark outlives the message).
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(last_failed_at__gte=models.F("first_failed_at")),
                name="undeliverable_times_in_order",
            )
        ]
