"""What each operator export holds: its query, its columns, one row per record.

A period selects referrals by when the consumer asked (`created_at`), so the three
exports of one period describe the same requests. Consumer contact details (name, phone,
email, ZIP code) are columns only when the caller may see them (an administrator who
ticked the box); otherwise the columns are absent, not blank. Referrals whose details the
retention job removed export as they are: blank.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from agentmatch.core.csv_export import in_chunks
from agentmatch.operations.models import ExportKind
from agentmatch.referrals.event_details import recognise
from agentmatch.referrals.models import (
    EventKind,
    Offer,
    OfferStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
)

CONTACT_COLUMNS = ["first_name", "last_name", "phone", "email", "zip_code"]


def _referrals(start: datetime, end: datetime) -> QuerySet[Referral]:
    return Referral.objects.filter(created_at__gte=start, created_at__lt=end)


def _accepted_offer(referral: Referral) -> Offer | None:
    return next((o for o in referral.offers.all() if o.status == OfferStatus.ACCEPTED), None)


def _referral_row(referral: Referral, contact: bool) -> list[Any]:
    accepted = _accepted_offer(referral)
    minutes = (
        round((accepted.responded_at - referral.created_at).total_seconds() / 60, 1)
        if accepted and accepted.responded_at
        else None
    )
    row = [
        referral.reference,
        referral.created_at,
        referral.state,
        referral.county,
        referral.language,
        referral.consent_channel,
        referral.status,
        referral.ended_at,
        referral.offer_count,  # type: ignore[attr-defined]
        accepted.agent.npn if accepted else None,
        accepted.responded_at if accepted else None,
        minutes,
        # Why it ended: the stable code (referrals.event_details), then the English text.
        referral.end_code or recognise(referral.end_reason)[0],  # type: ignore[attr-defined]
        referral.end_reason,
    ]
    if contact:
        row += [getattr(referral, name) for name in CONTACT_COLUMNS]
    return row


REFERRAL_COLUMNS = [
    "reference",
    "requested_at",
    "state",
    "county",
    "language",
    "channel",
    "status",
    "ended_at",
    "offers",
    "accepted_by_npn",
    "accepted_at",
    "minutes_to_accept",
    "end_reason_code",
    "end_reason",
]
OFFER_COLUMNS = [
    "reference",
    "requested_at",
    "state",
    "language",
    "position",
    "agent_npn",
    "agent_name",
    "distance_miles",
    "offered_at",
    "answer_by",
    "status",
    "answered_at",
]


def _offer_row(offer: Offer, contact: bool) -> list[Any]:
    referral = offer.referral
    row = [
        referral.reference,
        referral.created_at,
        referral.state,
        referral.language,
        offer.position,
        offer.agent.npn,
        f"{offer.agent.first_name} {offer.agent.last_name}",
        round(offer.distance_miles, 1),
        offer.offered_at,
        offer.expires_at,
        offer.status,
        offer.responded_at,
    ]
    if contact:
        row += [getattr(referral, name) for name in CONTACT_COLUMNS]
    return row


def header(kind: str, contact: bool) -> list[str]:
    base = OFFER_COLUMNS if kind == ExportKind.OFFERS else REFERRAL_COLUMNS
    return base + (CONTACT_COLUMNS if contact else [])


def _referral_query(kind: str, start: datetime, end: datetime) -> QuerySet[Referral]:
    referrals = _referrals(start, end)
    if kind == ExportKind.UNMATCHED:
        referrals = referrals.filter(status=ReferralStatus.UNMATCHED)
    ending = ReferralEvent.objects.filter(
        referral=OuterRef("pk"), kind__in=(EventKind.UNMATCHED, EventKind.CANCELED)
    ).order_by("-at", "-pk")
    return referrals.annotate(
        offer_count=Count("offers"), end_code=Subquery(ending.values("code")[:1])
    ).prefetch_related("offers__agent")


def _offer_query(start: datetime, end: datetime) -> QuerySet[Offer]:
    return Offer.objects.filter(
        referral__created_at__gte=start, referral__created_at__lt=end
    ).select_related("referral", "agent")


def count(kind: str, start: datetime, end: datetime) -> int:
    if kind == ExportKind.OFFERS:
        return _offer_query(start, end).count()
    return _referral_query(kind, start, end).count()


def rows(kind: str, start: datetime, end: datetime, contact: bool) -> Iterator[Sequence[Any]]:
    if kind == ExportKind.OFFERS:
        for offer in in_chunks(_offer_query(start, end)):
            yield _offer_row(offer, contact)
        return
    for referral in in_chunks(_referral_query(kind, start, end)):
        yield _referral_row(referral, contact)
