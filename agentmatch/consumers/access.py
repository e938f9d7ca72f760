"""Who may see a referral's status: the holder of its secret link, for this browser session.

The link /status/<id>/<token>/ is checked once (hashed, constant-time compare, like the
API) and traded for a note in the session; the pages the consumer then keeps in the
browser history carry no token.
"""

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from agentmatch.core.secrets import hash_secret
from agentmatch.referrals.models import Referral

SESSION_KEY = "consumer_referrals"
KEEP = 5  # referrals remembered per session


def link_expired(referral: Referral, now: datetime) -> bool:
    return now - referral.created_at > timedelta(days=settings.STATUS_TOKEN_DAYS)


def referral_for_token(*, public_id: UUID, token: str, now: datetime) -> Referral | None:
    referral = Referral.objects.filter(public_id=public_id).first()
    if referral is None or not constant_time_compare(
        hash_secret(token or ""), referral.status_token_hash
    ):
        return None
    if link_expired(referral, now):
        return None
    return referral


def grant(request: HttpRequest, referral: Referral) -> None:
    granted = [i for i in request.session.get(SESSION_KEY, []) if i != str(referral.public_id)]
    request.session[SESSION_KEY] = [*granted, str(referral.public_id)][-KEEP:]
    # A new privilege in this session: a new session key too (no fixation).
    request.session.cycle_key()


def granted_referral(request: HttpRequest, public_id: UUID, now: datetime) -> Referral | None:
    if str(public_id) not in request.session.get(SESSION_KEY, []):
        return None
    referral = Referral.objects.filter(public_id=public_id).first()
    if referral is None or link_expired(referral, now):
        return None
    return referral


def granted_ids(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))
