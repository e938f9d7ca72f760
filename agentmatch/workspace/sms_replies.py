"""Text replies to a referral: YES or NO (or SÍ), checked against Twilio's signature.

Twilio signs each webhook request: base64(HMAC-SHA1(auth token, URL + every POST
parameter sorted by name, each as name followed by value)). Behind a proxy the host and
scheme we see differ from the URL Twilio used, so the public URL comes from settings.
"""

import base64
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
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


def twilio_signature(*, url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio computes for a form POST to `url` with `params`."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def webhook_url(path: str) -> str:
    return settings.TWILIO_WEBHOOK_URL or f"{settings.SITE_URL}{path}"


def signature_is_valid(*, url: str, params: Iterable[tuple[str, str]], given: str) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token or not given:
        # Without a token nothing can be verified: refuse rather than trust anyone.
        return False
    expected = twilio_signature(url=url, params=params, auth_token=token)
    return hmac.compare_digest(expected.encode(), given.encode())


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
