"""Why an agent cannot answer an offer: one table, read by every door.

The API, the workspace, the one-tap link pages and the text replies all show the same
code and the same words for the same state. An offer that does not exist and an offer
made to another agent are the same answer (`not_found`): telling them apart would let
anyone learn which offer ids exist.
"""

from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agentmatch.referrals.models import Offer, OfferStatus

NOT_FOUND = "not_found"
EXPIRED = "expired"
CLOSED = "closed"

# Ids beyond the database's integer range are not offers (and must not reach a query).
MAX_ID = 2**63 - 1

# code -> the words the agent reads (in their language wherever a page or text shows it).
PROBLEMS: dict[str, Promise] = {
    NOT_FOUND: _("This offer does not exist or was not made to you."),
    EXPIRED: _("This offer expired and has moved to another agent."),
    "already_accepted": _("You already accepted this referral."),
    "rejected": _("You already rejected this referral."),
    "canceled": _("The consumer canceled this request."),
    CLOSED: _("This referral is no longer open."),
    # Only the one-tap link pages: the link itself is what is wrong.
    "invalid_link": _(
        "This link is not valid. Check that you opened all of it, or answer in your workspace."
    ),
    "not_your_link": _("This link belongs to another agent. Nothing was changed."),
}

_BY_STATUS: dict[str, str] = {
    OfferStatus.ACCEPTED: "already_accepted",
    OfferStatus.REJECTED: "rejected",
    OfferStatus.EXPIRED: EXPIRED,
    OfferStatus.CANCELED: "canceled",
}


class OfferConflict(Exception):
    """The offer cannot be answered (anymore); `code` is stable, `message` is for people."""

    field: str | None = None

    def __init__(self, code: str) -> None:
        self.code = code if code in PROBLEMS else CLOSED
        super().__init__(self.code)

    @property
    def message(self) -> str:
        """In the language active where it is read."""
        return str(PROBLEMS[self.code])

    @property
    def lazy_message(self) -> Promise:
        """For a template rendered later in the reader's language (a text reply)."""
        return PROBLEMS[self.code]


def offer_problem(offer: Offer | None, *, agent_id: int, now: datetime) -> OfferConflict | None:
    """Why `agent_id` cannot answer `offer` at `now`; None when they can."""
    if offer is None or offer.agent_id != agent_id:
        return OfferConflict(NOT_FOUND)
    if offer.status == OfferStatus.PENDING:
        return OfferConflict(EXPIRED) if offer.expires_at <= now else None
    return OfferConflict(_BY_STATUS.get(offer.status, CLOSED))


def is_offer_id(offer_id: int) -> bool:
    return 0 < offer_id <= MAX_ID
