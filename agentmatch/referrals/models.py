"""A consumer's "Get Contacted" request, the offers made to agents, and their history."""

import uuid
from datetime import datetime

from django.db import models
from django.db.models import Q

from agentmatch.agents.models import Agent
from agentmatch.core.states import STATE_CHOICES
from agentmatch.partners.models import PartnerKey
from agentmatch.referrals.reference import format_reference, new_reference_code


class ReferralStatus(models.TextChoices):
    NEW = "new", "New"
    OFFERED = "offered", "Offered to an agent"
    WAITING = "waiting", "Waiting for an available agent"
    ACCEPTED = "accepted", "Accepted by an agent"
    UNMATCHED = "unmatched", "Ended unmatched"
    CANCELED = "canceled", "Canceled by the consumer"


OPEN_STATUSES = (ReferralStatus.NEW, ReferralStatus.OFFERED, ReferralStatus.WAITING)
# A referral has ended once it leaves these: accepted (handed to an agent), unmatched or
# canceled. Its contact details are kept CONSUMER_DATA_RETENTION_DAYS after that (see
# agentmatch/retention).
ENDED_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.UNMATCHED, ReferralStatus.CANCELED)


class Referral(models.Model):
    # Internal: in URLs (with the status token) and the API's `id`; never shown to people.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What people read out (reference.py). Null only on a row the previous release stored
    # during the rolling deploy that added it (its consumer was told the UUID then): NULL,
    # not "", so the unique constraint lets such rows be.
    reference_code = models.CharField(  # noqa: DJ001
        max_length=8, null=True, blank=True, editable=False, default=new_reference_code
    )
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    status_token_hash = models.CharField(max_length=64)
    plan_year = models.PositiveSmallIntegerField()

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, help_text="E.164")
    email = models.EmailField(blank=True)
    zip_code = models.CharField(max_length=5)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    # The ZIP code's centroid; None only once the referral is anonymised.
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    # Set when the ZIP code is removed, so statistics by county outlive it. The database
    # default lets the release still running during a rolling deploy insert without it.
    county = models.CharField(max_length=100, blank=True, default="", db_default="")
    language = models.CharField(max_length=3, help_text="ISO 639-1")

    consent_given_at = models.DateTimeField()
    consent_wording_version = models.CharField(max_length=20)
    consent_channel = models.CharField(max_length=20, default="api")
    # The language of the page a web request was made on ("" for the API): the consumer's
    # messages use it when the referral's own language has no translation.
    page_language = models.CharField(max_length=8, blank=True)
    # The integrator whose key sent the request through the API, if any.
    partner_key = models.ForeignKey(
        PartnerKey, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )

    created_at = models.DateTimeField()
    # Set when nobody was left to offer it to for the first time; it ends unmatched then.
    wait_expires_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    # When the consumer's contact details were removed (retention.actions); the row keeps
    # its state, county, language, consent record and timings for statistics.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.WAITING)
                | (Q(wait_expires_at__isnull=False) & Q(waiting_since__isnull=False)),
                name="waiting_referral_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OPEN_STATUSES)
                | Q(ended_at__isnull=False)
                | Q(status=ReferralStatus.ACCEPTED),
                name="ended_referral_has_end_time",
            ),
            # Anonymising is for ended referrals only, and an anonymised row holds none of
            # the consumer's contact details or exact location; a live one has its place.
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True)
                | (Q(status__in=ENDED_STATUSES) & Q(ended_at__isnull=False)),
                name="only_ended_referrals_are_anonymised",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True)
                | Q(
                    first_name="",
                    last_name="",
                    phone="",
                    email="",
                    zip_code="",
                    city="",
                    latitude__isnull=True,
                    longitude__isnull=True,
                ),
                name="anonymised_referral_has_no_contact_details",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=False)
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="live_referral_has_location",
            ),
            models.UniqueConstraint(
                fields=["reference_code"], name="referral_reference_code_unique"
            ),
            # A phone waits for one agent at a time: a second request while one is open is
            # refused (actions.requests.submit_request answers "already open").
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_request_per_phone",
            ),
        ]
        indexes = [
            # Waiting referrals in the order they are offered again (first asked, first
            # served), the status opaque to the planner (core/planning.py); also the open
            # requests counted by status (metrics).
            models.Index(fields=["status", "created_at", "id"], name="waiting_queue"),
            models.Index(fields=["status", "wait_expires_at"], name="referrals_wait_deadline"),
            # The retention sweep's candidates: ended, not yet anonymised.
            models.Index(
                fields=["ended_at"],
                condition=Q(anonymised_at__isnull=True),
                name="referrals_to_anonymise",
            ),
            # The operators' dashboard counts the requests made in a period.
            models.Index(fields=["created_at"], name="referrals_by_created"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.public_id} ({self.status})"

    @property
    def reference(self) -> str:
        """The reference people read: "K7QF-3M9D"; the UUID for a referral stored without a
        code (that is what its consumer was told)."""
        if self.reference_code:
            return format_reference(self.reference_code)
        return str(self.public_id)

    @property
    def days_kept(self) -> int | None:
        """How many days after it ended the referral was anonymised (None until then)."""
        if self.anonymised_at is None or self.ended_at is None:
            return None
        return (self.anonymised_at - self.ended_at).days

    @property
    def location(self) -> tuple[float, float]:
        """(latitude, longitude) of the consumer's ZIP code; routing only sees open
        referrals, which always have one (live_referral_has_location)."""
        if self.latitude is None or self.longitude is None:
            raise ValueError(f"referral {self.public_id} has no location (anonymised)")
        return self.latitude, self.longitude


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    CANCELED = "canceled", "Canceled (consumer canceled)"


class Offer(models.Model):
    # No index of their own: offer_once_per_agent leads with the referral and
    # offers_by_agent with the agent (each offer written or settled updated both for nothing).
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="offers", db_index=False
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="offers", db_index=False
    )
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    # 1 for the referral's first offer, 2 for the next...
    position = models.PositiveSmallIntegerField()
    # The agent's place in the candidate list when chosen (1 = closest).
    rank = models.PositiveIntegerField()
    distance_miles = models.FloatField()
    qualified_agents = models.PositiveIntegerField(help_text="candidates at that moment")
    reason = models.TextField(help_text="why this agent was chosen, in words")
    explanation = models.JSONField(default=dict)
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Never offered twice to the same agent: a decline is final.
            models.UniqueConstraint(fields=["referral", "agent"], name="offer_once_per_agent"),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status=OfferStatus.PENDING),
                name="one_pending_offer_per_referral",
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status=OfferStatus.ACCEPTED),
                name="one_accepted_offer_per_referral",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("offered_at")), name="offer_window_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=OfferStatus.PENDING) | Q(responded_at__isnull=False),
                name="settled_offer_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="offers_due"),
            models.Index(fields=["agent", "status"], name="offers_by_agent"),
            # The operators' dashboard reads the offers made since a period began.
            models.Index(fields=["offered_at"], name="offers_by_offered_at"),
        ]


class EventKind(models.TextChoices):
    CREATED = "created"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WAITING = "waiting"
    UNMATCHED = "unmatched"
    CANCELED = "canceled"
    # The consumer's contact details were removed after the retention period.
    ANONYMISED = "anonymised"


class ReferralEvent(models.Model):
    """Every transition, timestamped: the basis of all metrics."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField()
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.CASCADE)
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT)
    # What the event's detail says, as a code of referrals.event_details.CATALOG and its
    # raw parameters, rendered in the reader's language. `detail` keeps the English text
    # (rows from before codes have only it; the previous release reads it).
    code = models.CharField(max_length=40, blank=True, db_default="")
    params = models.JSONField(default=dict, blank=True, db_default={})
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "at"], name="events_by_kind")]
        ordering = ["at", "pk"]


class ContactDisclosure(models.Model):
    """Audit: an agent was shown a consumer's name, phone and email, or a partner was sent
    them in a webhook (channel "webhook"; `partner` set, `agent` empty)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="disclosures")
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    partner = models.ForeignKey(
        PartnerKey, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    at = models.DateTimeField()
    channel = models.CharField(max_length=20)
    context = models.CharField(max_length=50, help_text="accept, view, ...")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agent__isnull=False) | models.Q(partner__isnull=False),
                name="disclosure_names_who_saw",
            )
        ]


class IntakeCounter(models.Model):
    """How many requests one client address, phone or partner key made in one fixed window.

    The key is an HMAC of the address or phone, so the table holds no phone numbers. The
    unique row per (kind, key, window) is the lock two simultaneous requests queue on: the
    count only grows through a conditional upsert (see limits.take).
    """

    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "window_start"], name="intake_counter_one_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="intake_counters_window")]


class IdempotencyKey(models.Model):
    """An API client's Idempotency-Key, remembered for IDEMPOTENCY_KEY_HOURS with what it
    created, so that a retry gets the first answer instead of a second referral.

    Neither the key nor the request is stored: `key_hash` is a hash of the key (and of the
    partner key's id, so partners never share keys) and `fingerprint` an HMAC of the
    request's fields. The referral's status token is derived from the key and `token_salt`
    (see actions.requests), so a replay can answer with it without it being kept.
    """

    key_hash = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64)
    token_salt = models.CharField(max_length=64)
    # Set in the same transaction as the row is inserted: a committed row always has it.
    referral = models.ForeignKey(Referral, null=True, on_delete=models.CASCADE)
    first_status = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="idempotency_keys_by_expiry")]


class LinkAction(models.TextChoices):
    ACCEPT = "accept", "Accept"
    REJECT = "reject", "Reject"


class OfferLink(models.Model):
    """A one-tap Accept or Reject link sent to one agent about one offer.

    The link is a long random secret, and only its hash is stored: nothing in the URL is
    an id anyone could change, and the agent who acts is the one the link was sent to.
    It is good until the offer's deadline, for one answer.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="links")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="offer_links")
    action = models.CharField(max_length=10, choices=LinkAction.choices)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications_offerlink"  # made by the notifications app, kept
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=LinkAction.values), name="offer_link_action_known"
            )
        ]

    def spend(self, *, now: datetime) -> bool:
        """Single use: a conditional update, so of two concurrent answers only one counts."""
        spent = OfferLink.objects.filter(
            pk=self.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if spent:
            self.used_at = now
        return spent == 1
