"""One-tap Accept and Reject links: signed, tied to one offer, its agent and the action.

The link is the agent's credential for that one answer, so it carries everything needed
to check it without a login: which offer, whose, what to do, and until when (the offer's
own deadline, so a link never outlives its offer). Tampering breaks the signature.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

from agentmatch.referrals.models import Offer

SALT = "agentmatch.notifications.offer-link"
ACCEPT = "accept"
REJECT = "reject"
ACTIONS = (ACCEPT, REJECT)


class BadLink(Exception):
    """Not a link we made (tampered, truncated, or for an unknown action)."""


@dataclass(frozen=True)
class OfferLink:
    offer_id: int
    agent_id: int
    action: str
    expires_at: datetime


def make_token(*, offer: Offer, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    data = {
        "o": offer.pk,
        "a": offer.agent_id,
        "x": action,
        "e": math.ceil(offer.expires_at.timestamp()),
    }
    return signing.dumps(data, salt=SALT, compress=True)


def offer_link_url(*, offer: Offer, action: str) -> str:
    return f"{settings.SITE_URL}/n/o/{make_token(offer=offer, action=action)}/"


def read_token(token: str) -> OfferLink:
    try:
        data = signing.loads(token, salt=SALT)
        link = OfferLink(
            offer_id=int(data["o"]),
            agent_id=int(data["a"]),
            action=str(data["x"]),
            expires_at=datetime.fromtimestamp(int(data["e"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadLink(str(exc)) from exc
    if link.action not in ACTIONS:
        raise BadLink(f"unknown action {link.action!r}")
    return link
