"""Integrators who send consumers' requests through the API, each with its own key."""

from django.db import models


class PartnerKey(models.Model):
    """One partner's API key. The key is shown once when made; only its prefix (to find
    the row) and a hash of the whole key are kept. A revoked key stays, for the referrals
    that name it."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    requests_per_hour = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set by an administrator: this partner's webhooks may carry consumers' names, phones
    # and emails (a subscription must also ask for them). Off unless someone decided so.
    may_receive_consumer_details = models.BooleanField(default=False, db_default=False)

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.name} ({self.prefix}, {state})"
