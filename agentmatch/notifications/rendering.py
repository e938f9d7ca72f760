"""Turning an outbox row into words: done by the delivery worker, not by the event.

An event (a new offer, a request received) stores its messages with only a `context` of
ids and flags, which costs the event's transaction one insert and no template work. The
delivery worker renders each message right before its first attempt, in the recipient's
language and (for agents) time zone, from the rows as they are then. The context is then
emptied: it may hold a secret (the consumer's status token) that the rendered body now
carries, and redaction removes it from there once the message is done with.
"""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import Context, engines
from django.utils import timezone, translation

from agentmatch.agents.models import Agent
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.phones import display_phone
from agentmatch.notifications.links import ACCEPT, REJECT, offer_link_url
from agentmatch.notifications.models import Channel, Message
from agentmatch.referrals.models import Offer, Referral

# Where consumers can turn when no agent is free (HealthCare.gov's Marketplace call center).
MARKETPLACE_SITE = "HealthCare.gov"
MARKETPLACE_PHONE = "1-800-318-2596"


class CannotRender(Exception):
    """The rows a message is about are gone; it can never be sent."""


# --- Language and time --------------------------------------------------------------------


def agent_language(agent: Agent) -> str:
    """The language the agent chose on the site; if none, Spanish when the agent speaks
    Spanish and not English; English otherwise."""
    # The user model through settings, as Django intends: accounts sits above this app.
    chosen = get_user_model().objects.filter(agent=agent).values_list("language", flat=True).first()
    if chosen in ("en", "es"):
        return str(chosen)
    spoken = set(agent.languages.values_list("language", flat=True))
    return "es" if "es" in spoken and "en" not in spoken else "en"


def consumer_language(referral: Referral) -> str:
    """Messages exist in English and Spanish: the referral's language if it is one of them,
    else the language of the page the request was made on, else English."""
    if referral.language in ("en", "es"):
        return referral.language
    return "es" if referral.page_language == "es" else "en"


def agent_time_zone(agent: Agent) -> ZoneInfo:
    return agent.zone  # one fallback for every app: Agent.zone


def language_name(code: str) -> str:
    """The language's name in the active language ("Spanish", "español")."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return LANGUAGE_NAMES.get(code, code)


def render(
    kind: str, part: str, context: dict[str, Any], *, language: str, tz: ZoneInfo | None = None
) -> str:
    """One template of a message; one line for everything but the email body.

    Plain text, so nothing is HTML-escaped ("Coeur d'Alene" stays as it is).
    """
    template = engines["django"].get_template(f"notifications/{kind}/{part}")
    with translation.override(language), timezone.override(tz or timezone.get_current_timezone()):
        text = template.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]
    return text.strip() if part == "email.txt" else " ".join(text.split())


# --- Per channel ----------------------------------------------------------------------------


def _fields(
    message: Message,
    kind: str,
    context: dict[str, Any],
    *,
    language: str,
    tz: ZoneInfo | None = None,
    url: str = "",
) -> dict[str, Any]:
    def part(name: str) -> str:
        return render(kind, name, context, language=language, tz=tz)

    if message.channel == Channel.EMAIL:
        return {"subject": part("subject.txt")[:300], "body": part("email.txt")}
    if message.channel == Channel.SMS:
        return {"body": part("sms.txt")}
    body = part("push_body.txt")
    tag = message.context.get("event", kind)
    return {
        "body": body,
        "payload": {"title": part("push_title.txt"), "body": body, "url": url, "tag": tag},
    }


def _offer(message: Message) -> Offer:
    offer = (
        Offer.objects.select_related("referral", "agent")
        .filter(pk=message.context.get("offer"))
        .first()
    )
    if offer is None:
        raise CannotRender("the offer no longer exists")
    return offer


def _referral(message: Message) -> Referral:
    referral = Referral.objects.filter(pk=message.referral_id or 0).first()
    if referral is None:
        raise CannotRender("the referral no longer exists")
    return referral


# --- Per kind -----------------------------------------------------------------------------


def _to_agent(message: Message, offer: Offer, extra: dict[str, Any], url: str) -> dict[str, Any]:
    agent, referral = offer.agent, offer.referral
    language = agent_language(agent)
    with translation.override(language):
        context = {
            "agent": agent,
            "site_url": settings.SITE_URL,
            "url": url,
            "referral": referral,
            "referral_language": referral.language,
            "language_name": language_name(referral.language),
            "deadline": offer.expires_at,
            **extra,
        }
    fields = _fields(message, message.kind, context, language=language, tz=agent_time_zone(agent))
    return {"language": language, **fields}


def _offer_new(message: Message) -> dict[str, Any]:
    offer = _offer(message)
    accept_url = offer_link_url(offer=offer, action=ACCEPT)
    links = {"accept_url": accept_url}
    if message.channel != Channel.PUSH:
        # Each link is a credential row: make only those the message shows.
        links["reject_url"] = offer_link_url(offer=offer, action=REJECT)
    return _to_agent(message, offer, links, accept_url)


def _offer_missed(message: Message) -> dict[str, Any]:
    offer = _offer(message)
    paused = {"paused": bool(message.context.get("paused"))}
    return _to_agent(message, offer, paused, settings.AGENT_WORKSPACE_URL)


def _to_consumer(message: Message, referral: Referral, extra: dict[str, Any]) -> dict[str, Any]:
    language = consumer_language(referral)
    context = {
        "referral": referral,
        "reference": referral.public_id,
        "site_url": settings.SITE_URL,
        "marketplace_site": MARKETPLACE_SITE,
        "marketplace_phone": MARKETPLACE_PHONE,
        **extra,
    }
    return {"language": language, **_fields(message, message.kind, context, language=language)}


def status_url(*, referral: Referral, token: str) -> str:
    return settings.CONSUMER_STATUS_URL.format(id=referral.public_id, token=token)


def _consumer_received(message: Message) -> dict[str, Any]:
    referral = _referral(message)
    token = str(message.context.get("status_token", ""))
    return _to_consumer(
        message, referral, {"status_url": status_url(referral=referral, token=token)}
    )


def _consumer_accepted(message: Message) -> dict[str, Any]:
    offer = _offer(message)
    agent = offer.agent
    extra = {
        "agent_name": agent.full_name,
        "agent_npn": agent.npn,
        "agent_phone": display_phone(agent.cell_phone) if agent.cell_phone else "",
        "agent_email": agent.email,
    }
    return _to_consumer(message, offer.referral, extra)


def _consumer_unmatched(message: Message) -> dict[str, Any]:
    return _to_consumer(message, _referral(message), {})


RENDERERS: dict[str, Callable[[Message], dict[str, Any]]] = {
    "offer_new": _offer_new,
    "offer_missed": _offer_missed,
    "consumer_received": _consumer_received,
    "consumer_accepted": _consumer_accepted,
    "consumer_unmatched": _consumer_unmatched,
}


def needs_rendering(message: Message) -> bool:
    return bool(message.context)


def render_message(message: Message) -> list[str]:
    """Fills the message's words from its context, in place; returns the changed fields."""
    renderer = RENDERERS.get(message.kind)
    if renderer is None:
        raise CannotRender(f"no renderer for kind {message.kind!r}")
    for name, value in renderer(message).items():
        setattr(message, name, value)
    message.context = {}
    return ["language", "subject", "body", "payload", "context"]
