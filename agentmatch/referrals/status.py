"""What a consumer may learn about their request, on every door (status page and API).

The status token is a bearer secret: checked hashed and in constant time, and it stops
working STATUS_TOKEN_DAYS after the request was made.
"""

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.utils.crypto import constant_time_compare

from agentmatch.agents.models import Agent
from agentmatch.core.secrets import hash_secret
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus


def status_link_expired(referral: Referral, now: datetime) -> bool:
    return now - referral.created_at > timedelta(days=settings.STATUS_TOKEN_DAYS)


def referral_for_status_token(*, public_id: UUID, token: str, now: datetime) -> Referral | None:
    """The referral whose status token this is, while it works; None otherwise (unknown id,
    wrong or expired token: the caller cannot tell which)."""
    referral = Referral.objects.filter(public_id=public_id).first()
    if referral is None or not constant_time_compare(
        hash_secret(token or ""), referral.status_token_hash
    ):
        return None
    if status_link_expired(referral, now):
        return None
    return referral


def agent_who_will_call(referral: Referral) -> Agent | None:
    """The agent who accepted the request (their name, NPN and phone are the consumer's to
    see), or None while nobody has."""
    if referral.status != ReferralStatus.ACCEPTED:
        return None
    offer = (
        Offer.objects.select_related("agent")
        .filter(referral=referral, status=OfferStatus.ACCEPTED)
        .first()
    )
    return offer.agent if offer is not None else None
