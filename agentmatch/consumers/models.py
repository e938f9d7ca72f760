"""What the consumer pages keep of their own: request counters for the rate limits, and
the page a request came from."""

from django.db import models

from agentmatch.referrals.models import Referral


class IntakeCounter(models.Model):
    """How many requests one client address or one phone made in one fixed time window.

    The key is an HMAC of the address or phone, so the table holds no phone numbers. The
    unique row per (kind, key, window) is the lock two simultaneous requests queue on: the
    count only grows through a conditional UPDATE (see limits.take).
    """

    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "window_start"], name="intake_counter_once_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="intake_counters_by_window")]


class WebRequest(models.Model):
    """A referral made on the "Get Contacted" page, and the language of that page."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="web_request")
    page_language = models.CharField(max_length=8)
    created_at = models.DateTimeField()
