"""The messages about referrals and offers: what each event puts in the outbox, and how
the delivery worker words it.

Each notify_* function runs inside its event's transaction (referrals/services.py) and
stores one unrendered outbox row per channel and recipient (notifications/messages.py);
the renderers below fill in the words right before the first attempt, registered by kind
in ReferralsConfig.ready() (notifications/rendering.py holds the registry).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import translation

from agentmatch.agents.models import AvailabilitySwitch
from agentmatch.core import marketplace
from agentmatch.core.phones import display_phone
from agentmatch.notifications.messages import store, to_agent, unrendered
from agentmatch.notifications.models import Channel, Message
from agentmatch.notifications.outbox import register_moot_check
from agentmatch.notifications.rendering import (
    CannotRender,
    agent_language,
    agent_time_zone,
    channel_fields,
    language_name,
    register_preloader,
    register_renderer,
    remember,
    remember_agent_languages,
    remembered,
)
from agentmatch.referrals.links import ACCEPT, REJECT, offer_link_url
from agentmatch.referrals.models import Offer, OfferStatus, Referral

# Where consumers can turn when no agent is free (HealthCare.gov's Marketplace call center).
MARKETPLACE_SITE = marketplace.MARKETPLACE_SITE
MARKETPLACE_PHONE = marketplace.CALL_CENTER_PHONE

# A message with `offer=` set is dropped (status "suppressed") by the delivery job once the
# offer is no longer pending, unless its kind is one of these: messages that are *about*
# the offer having ended ("you missed a referral", "this referral has been reassigned").
KINDS_ABOUT_ENDED_OFFERS = frozenset({"offer_missed", "offer_reassigned", "offer_expired"})
# The kinds rendered here that go to the agent (in the agent's language).
AGENT_KINDS = frozenset({"offer_new", "offer_missed"})


# --- To the agent ---------------------------------------------------------------------------


def notify_new_offer(
    *, offer: Offer, now: datetime, first_time: bool = False, push_ids: list[int] | None = None
) -> int:
    """The new referral, by every channel the agent chose. Returns messages enqueued.

    `first_time`: the offer was written in this transaction (intake's hot path), so no
    message for it can exist yet and the duplicate check is skipped. `push_ids`: the
    agent's push subscriptions, when the claim read them already.
    """
    return to_agent(
        agent=offer.agent,
        kind="offer_new",
        event=f"offer_new:{offer.pk}",
        context={"offer": offer.pk},
        now=now,
        referral=offer.referral,
        # Tied to the offer: the worker drops it if the offer is no longer pending.
        offer=offer,
        first_time=first_time,
        push_ids=push_ids,
    )


def notify_offer_missed(
    *,
    offer: Offer,
    now: datetime,
    paused: bool,
    mode: str = "",
    push_ids: list[int] | None = None,
    first_time: bool = False,
) -> int:
    """The offer's window passed unanswered and the referral moved on; `paused` when the
    agent is now switched off, `mode` what switching back on returns them to.
    `first_time`: the offer expired in the caller's transaction, which happens once to an
    offer, so its messages are new (a batch of expiries stores them in one insert)."""
    return to_agent(
        agent=offer.agent,
        kind="offer_missed",
        event=f"offer_missed:{offer.pk}",
        context={"offer": offer.pk, "paused": paused, "mode": mode},
        now=now,
        first_time=first_time,
        push_ids=push_ids,
        referral=offer.referral,
    )


# --- To the consumer ------------------------------------------------------------------------


def _to_consumer(
    *,
    referral: Referral,
    kind: str,
    event: str,
    context: dict[str, Any],
    now: datetime,
    first_time: bool = False,
) -> int:
    recipients = [(Channel.SMS, referral.phone)]
    if referral.email:
        recipients.append((Channel.EMAIL, referral.email))
    messages = unrendered(
        recipients, kind=kind, event=event, context=context, now=now, referral=referral
    )
    return store(messages, first_time=first_time)


def notify_referral_received(
    *, referral: Referral, token: str, now: datetime, first_time: bool = False
) -> int:
    """Request received: the reference number and a status link (the token is only known now).

    The raw token waits in the message's context until the worker renders the link.
    """
    return _to_consumer(
        referral=referral,
        kind="consumer_received",
        event=f"consumer_received:{referral.pk}",
        context={"status_token": token},
        now=now,
        first_time=first_time,
    )


def notify_consumer_accepted(*, offer: Offer, now: datetime) -> int:
    return _to_consumer(
        referral=offer.referral,
        kind="consumer_accepted",
        event=f"consumer_accepted:{offer.referral_id}",
        context={"offer": offer.pk},
        now=now,
    )


def notify_consumer_unmatched(*, referral: Referral, now: datetime) -> int:
    return _to_consumer(
        referral=referral,
        kind="consumer_unmatched",
        event=f"consumer_unmatched:{referral.pk}",
        context={},
        now=now,
    )


# --- Words, at delivery time ----------------------------------------------------------------


def consumer_language(referral: Referral) -> str:
    """Messages exist in English and Spanish: the referral's language if it is one of them,
    else the language of the page the request was made on, else English."""
    if referral.language in ("en", "es"):
        return referral.language
    return "es" if referral.page_language == "es" else "en"


def preload_batch(messages: list[Message]) -> None:
    """What the renders of a delivery batch read, in four queries: the offers (with their
    referral and agent), the referrals of the consumers' messages, the agents' languages."""
    offer_ids = {m.context["offer"] for m in messages if isinstance(m.context.get("offer"), int)}
    offers = Offer.objects.select_related("referral", "agent").in_bulk(offer_ids)
    for pk in offer_ids:
        remember(("offer", pk), offers.get(pk))
    referral_ids = {m.referral_id for m in messages if m.referral_id and not m.context.get("offer")}
    referrals = Referral.objects.in_bulk(referral_ids - {o.referral_id for o in offers.values()})
    for offer in offers.values():
        referrals[offer.referral_id] = offer.referral
    for pk in referral_ids:
        remember(("referral", pk), referrals.get(pk))
    to_agents = {m.context["offer"] for m in messages if m.kind in AGENT_KINDS}
    remember_agent_languages([offers[pk].agent for pk in to_agents if pk in offers])


def _offer(message: Message) -> Offer:
    pk = message.context.get("offer")
    offer = remembered(
        ("offer", pk),
        lambda: Offer.objects.select_related("referral", "agent").filter(pk=pk).first(),
    )
    if offer is None:
        raise CannotRender("the offer no longer exists")
    return offer


def _referral(message: Message) -> Referral:
    pk = message.referral_id or 0
    referral = remembered(("referral", pk), lambda: Referral.objects.filter(pk=pk).first())
    if referral is None:
        raise CannotRender("the referral no longer exists")
    return referral


def window_minutes(offer: Offer) -> int | float:
    """How long the offer lasts, in minutes: whole, or to one decimal."""
    minutes = round((offer.expires_at - offer.offered_at).total_seconds() / 60, 1)
    return int(minutes) if minutes.is_integer() else minutes


def _agent_fields(
    message: Message, offer: Offer, extra: dict[str, Any], url: str
) -> dict[str, Any]:
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
            # This offer's own window (the adaptive window may have shortened it).
            "minutes": window_minutes(offer),
            **extra,
        }
    tz = agent_time_zone(agent)
    fields = channel_fields(message, message.kind, context, language=language, tz=tz)
    return {"language": language, **fields}


def _offer_new(message: Message) -> dict[str, Any]:
    offer = _offer(message)
    accept_url = offer_link_url(offer=offer, action=ACCEPT)
    links = {"accept_url": accept_url}
    if message.channel != Channel.PUSH:
        # Each link is a credential row: make only those the message shows.
        links["reject_url"] = offer_link_url(offer=offer, action=REJECT)
    return _agent_fields(message, offer, links, accept_url)


def _offer_missed(message: Message) -> dict[str, Any]:
    offer = _offer(message)
    pause = {
        "paused": bool(message.context.get("paused")),
        # Switching back on returns the agent to their weekly hours unless they were on.
        "back_to_hours": message.context.get("mode") != AvailabilitySwitch.ON,
    }
    return _agent_fields(message, offer, pause, settings.AGENT_WORKSPACE_URL)


def _consumer_fields(message: Message, referral: Referral, extra: dict[str, Any]) -> dict[str, Any]:
    language = consumer_language(referral)
    context = {
        "referral": referral,
        "reference": referral.reference,
        "site_url": settings.SITE_URL,
        "marketplace_site": MARKETPLACE_SITE,
        "marketplace_phone": MARKETPLACE_PHONE,
        **extra,
    }
    fields = channel_fields(message, message.kind, context, language=language)
    return {"language": language, **fields}


def status_url(*, referral: Referral, token: str) -> str:
    return settings.CONSUMER_STATUS_URL.format(id=referral.public_id, token=token)


def _consumer_received(message: Message) -> dict[str, Any]:
    referral = _referral(message)
    token = str(message.context.get("status_token", ""))
    return _consumer_fields(
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
    return _consumer_fields(message, offer.referral, extra)


def _consumer_unmatched(message: Message) -> dict[str, Any]:
    return _consumer_fields(message, _referral(message), {})


def offers_have_ended(messages: list[Message]) -> dict[int, str]:
    """The messages about an offer no longer pending, by id, with why they are moot."""
    about = [
        m for m in messages if m.offer_id is not None and m.kind not in KINDS_ABOUT_ENDED_OFFERS
    ]
    if not about:
        return {}
    # By primary key only, the status compared here: a live status in the WHERE clause
    # could lead stale statistics to a partial index (core/planning.py).
    statuses = dict(
        Offer.objects.filter(pk__in={m.offer_id for m in about}).values_list("pk", "status")
    )
    return {
        m.pk: "offer no longer pending"
        for m in about
        if statuses.get(m.offer_id or 0) != OfferStatus.PENDING
    }


def register_messages() -> None:
    """Called from ReferralsConfig.ready(): the delivery worker words these kinds."""
    register_renderer("offer_new", _offer_new)
    register_renderer("offer_missed", _offer_missed)
    register_renderer("consumer_received", _consumer_received)
    register_renderer("consumer_accepted", _consumer_accepted)
    register_renderer("consumer_unmatched", _consumer_unmatched)
    register_preloader(preload_batch)
    register_moot_check(offers_have_ended)
