"""One-tap Accept and Reject links: a long random secret per link, stored only as a hash.

The link is the agent's credential for one answer to one offer, so nothing in it can be
derived or changed: it is 256 random bits (core.secrets), and the row it hashes to says
which offer, which agent it was sent to, what to do and until when (the offer's own
deadline, so a link never outlives its offer). Whoever opens it acts as that agent, for
that offer, once. The outbox keeps the raw link only until the message is done with
(redaction.py).
"""

from datetime import datetime
from typing import Literal

from django.conf import settings

from agentmatch.core.secrets import hash_secret, new_secret
from agentmatch.notifications.rendering import add_row
from agentmatch.referrals.models import LinkAction, Offer, OfferLink
from agentmatch.referrals.problems import CLOSED, EXPIRED, OfferConflict, offer_problem

ACCEPT = LinkAction.ACCEPT.value
REJECT = LinkAction.REJECT.value
ACTIONS = (ACCEPT, REJECT)
# new_secret() gives 43 characters; anything much longer is not ours (and is not hashed).
MAX_TOKEN_LENGTH = 100


def make_token(*, offer: Offer, action: str) -> str:
    """A new link for the offer's agent; the caller puts the returned secret in a message."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    token = new_secret()
    # Stored with the other rows of the delivery worker's rendering batch, if in one.
    add_row(
        OfferLink(
            token_hash=hash_secret(token),
            offer=offer,
            agent_id=offer.agent_id,
            action=action,
            expires_at=offer.expires_at,
        )
    )
    return token


def offer_link_url(*, offer: Offer, action: str) -> str:
    return f"{settings.SITE_URL}/n/o/{make_token(offer=offer, action=action)}/"


def find_link(*, token: str, viewer_agent_id: int | None = None) -> OfferLink:
    """The link `token` names; OfferConflict `invalid_link` for any token we did not make.

    `viewer_agent_id`: the agent logged in on this browser, if any. A link forwarded to
    another agent does nothing in their browser, though the link alone would be enough.
    """
    link = None
    if token and len(token) <= MAX_TOKEN_LENGTH:
        link = (
            OfferLink.objects.select_related("offer__referral", "agent")
            .filter(token_hash=hash_secret(token))
            .first()
        )
    if link is None:
        raise OfferConflict("invalid_link")
    if viewer_agent_id not in (None, link.agent_id):
        raise OfferConflict("not_your_link")
    return link


def link_problem(link: OfferLink, *, now: datetime) -> OfferConflict | None:
    """Why the link can no longer answer its offer (the offer's own state first); None if it can."""
    problem = offer_problem(link.offer, agent_id=link.agent_id, now=now)
    if problem is None and link.expires_at <= now:
        problem = OfferConflict(EXPIRED)
    if problem is None and link.used_at is not None:
        problem = OfferConflict(CLOSED)
    return problem


def answer_of(link: OfferLink) -> Literal["accept", "reject"]:
    """The answer the link gives (referrals.actions.offers.Answer)."""
    return "accept" if link.action == ACCEPT else "reject"
