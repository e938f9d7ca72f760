"""Who may see a referral's status: the holder of its secret link, for this browser session.

The link /status/<id>/<token>/ is checked once (referrals.status, as on the API) and traded
for a note in the session; the pages the consumer then keeps in the
browser history carry no token.
"""

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest

from agentmatch.referrals.models import Referral
from agentmatch.referrals.status import status_link_expired

SESSION_KEY = "consumer_referrals"
KEEP = 5  # referrals remembered per session


def grant(request: HttpRequest, referral: Referral) -> None:
    granted = [i for i in request.session.get(SESSION_KEY, []) if i != str(referral.public_id)]
    request.session[SESSION_KEY] = [*granted, str(referral.public_id)][-KEEP:]
    # A new privilege in this session: a new session key too (no fixation).
    request.session.cycle_key()


def granted_referral(request: HttpRequest, public_id: UUID, now: datetime) -> Referral | None:
    if str(public_id) not in request.session.get(SESSION_KEY, []):
        return None
    referral = Referral.objects.filter(public_id=public_id).first()
    if referral is None or status_link_expired(referral, now):
        return None
    return referral


def granted_ids(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))
