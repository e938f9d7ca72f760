"""The referral's part of forgetting a consumer (retention.actions composes the steps).

A step, not an action: it runs inside the caller's transaction with the referral row
locked, and never commits. What stays is what statistics and the consent record need:
state, county, language, page language, channel, partner key, timings, the consent's time
and wording version, offers (agents, ranks, distances) and events.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import F, Value
from django.db.models.functions import Replace

from agentmatch.core.geo import county_for_zip
from agentmatch.referrals.models import (
    ENDED_STATUSES,
    EventKind,
    IdempotencyKey,
    Offer,
    Referral,
    ReferralEvent,
)

# What a removed ZIP code reads as in the texts that named it (support reads them in
# English, like the rest of the timeline's reasons).
ZIP_REMOVED = "[ZIP removed]"


def anonymise_referral(*, referral: Referral, now: datetime) -> bool:
    """Removes the consumer's name, phone, email, ZIP code, city and coordinates from one
    ended referral, and the copies the referral's own tables keep. False when it was
    anonymised already (a second run, another worker): the update is conditional."""
    zip_code = referral.zip_code
    done = Referral.objects.filter(
        pk=referral.pk, anonymised_at__isnull=True, status__in=ENDED_STATUSES
    ).update(
        first_name="",
        last_name="",
        phone="",
        email="",
        zip_code="",
        city="",
        latitude=None,
        longitude=None,
        county=county_for_zip(zip_code) if zip_code else "",
        anonymised_at=now,
    )
    if done != 1:
        return False
    if zip_code:
        # "... miles from 53703) ..." (services._reason) and the "created" event's English
        # detail ("request from ZIP code 53703, ..." or, before codes, "53703 es").
        Offer.objects.filter(referral_id=referral.pk).update(
            reason=Replace(F("reason"), Value(f"from {zip_code})"), Value(f"from {ZIP_REMOVED})"))
        )
        ReferralEvent.objects.filter(referral_id=referral.pk, kind=EventKind.CREATED).update(
            detail=Replace(F("detail"), Value(zip_code), Value(ZIP_REMOVED))
        )
    # The same ZIP code as an event parameter (event_details renders a cleared one as
    # "[ZIP removed]" in the reader's language). Any event, not only "created": the
    # parameters are the code's, and a future code may carry it too.
    for event in ReferralEvent.objects.filter(referral_id=referral.pk, params__has_key="zip"):
        event.params = {**event.params, "zip": None}
        event.save(update_fields=["params"])
    # The request's fingerprint is an HMAC of its fields, phone included.
    IdempotencyKey.objects.filter(referral_id=referral.pk).delete()
    return True


def idempotency_keys_of(referral_ids: Sequence[int]) -> int:
    """How many remembered Idempotency-Keys name these referrals (for a dry run)."""
    return IdempotencyKey.objects.filter(referral_id__in=referral_ids).count()
