"""Text replies to a referral: YES or NO (or SÍ). The door (views_offer_answers.sms_inbound)
checks Twilio's signature first (notifications/twilio_signing.py).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings

from agentmatch.agents.models import Agent
from agentmatch.core.phones import display_phone
from agentmatch.notifications.rendering import agent_language, render
from agentmatch.referrals.actions.offers import ACCEPT, REJECT, Answer, answer_offer
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.referrals.problems import OfferConflict

YES_WORDS = {"YES", "Y", "SI"}
NO_WORDS = {"NO", "N"}


def understand(text: str) -> Answer | None:
    """ "accept", "reject" or None; ignores case, accents, spaces and punctuation."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    word = re.sub(r"[^A-Z]", "", plain.upper())
    if word in YES_WORDS:
        return ACCEPT
    if word in NO_WORDS:
        return REJECT
    return None


@dataclass
class Reply:
    """What to text back: a template under notifications/sms_reply/ and its context."""

    template: str
    language: str = "en"
    context: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        context = {"workspace_url": settings.AGENT_WORKSPACE_URL, **self.context}
        return render("sms_reply", f"{self.template}.txt", context, language=self.language)


def answer_reply(*, phone: str, text: str, now: datetime) -> Reply:
    """Accepts or rejects the agent's single pending offer (the action owns the transaction)."""
    agents = list(Agent.objects.filter(cell_phone=phone).order_by("pk"))
    if not agents:
        return Reply("help", context={"reason": "unknown_number"})
    # Pending, not "still open": a reply that comes in after the deadline (before the
    # worker moved the offer on) is answered by the action's rule, "expired", as elsewhere.
    pending = list(
        Offer.objects.filter(agent__in=agents, status=OfferStatus.PENDING)
        .select_related("agent", "referral")
        .order_by("expires_at")[:2]
    )
    agent = pending[0].agent if pending else agents[0]
    language = agent_language(agent)
    action = understand(text)
    if action is None:
        return Reply("help", language, {"reason": "unclear"})
    if not pending:
        return Reply("help", language, {"reason": "nothing_pending"})
    if len(pending) > 1:
        return Reply("help", language, {"reason": "several"})
    offer = pending[0]
    try:
        offer = answer_offer(offer_id=offer.pk, agent=agent, answer=action, now=now, channel="sms")
    except OfferConflict as exc:
        return Reply("conflict", language, {"code": exc.code, "message": exc.lazy_message})
    referral = offer.referral
    if action == REJECT:
        return Reply("rejected", language, {"referral": referral})
    return Reply(
        "accepted",
        language,
        {
            "referral": referral,
            "consumer_name": f"{referral.first_name} {referral.last_name}".strip(),
            "consumer_phone": display_phone(referral.phone),
        },
    )
