"""What is sent, to whom, and when: one function per event, called inside its transaction.

Each function renders the templates under notifications/<kind>/ in the recipient's
language (and, for agents, their own time zone) and puts one outbox row per channel and
recipient. The dedupe key names the event, so running the same event twice enqueues
nothing twice.
"""

import hashlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template import Context, engines
from django.utils import timezone, translation

from agentmatch.agents.models import Agent, ContactMethod
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.phones import display_phone
from agentmatch.notifications.links import ACCEPT, REJECT, offer_link_url
from agentmatch.notifications.models import Channel, Message, PushSubscription
from agentmatch.notifications.outbox import enqueue
from agentmatch.referrals.models import Offer, Referral

TEXT_METHODS = (ContactMethod.EMAIL_TEXT_APP, ContactMethod.EMAIL_TEXT)
APP_METHODS = (ContactMethod.EMAIL_TEXT_APP, ContactMethod.EMAIL_APP)
# Where consumers can turn when no agent is free (HealthCare.gov's Marketplace call center).
MARKETPLACE_SITE = "HealthCare.gov"
MARKETPLACE_PHONE = "1-800-318-2596"


# --- Language and time --------------------------------------------------------------------


def agent_language(agent: Agent) -> str:
    """Spanish when the agent speaks Spanish and not English; English otherwise."""
    spoken = set(agent.languages.values_list("language", flat=True))
    return "es" if "es" in spoken and "en" not in spoken else "en"


def consumer_language(referral: Referral) -> str:
    """Messages exist in English and Spanish; other languages get English."""
    return "es" if referral.language == "es" else "en"


def agent_time_zone(agent: Agent) -> ZoneInfo:
    try:
        return ZoneInfo(agent.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


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


def _dedupe_key(*parts: object) -> str:
    key = ":".join(str(p) for p in parts)
    # Email addresses can be long; the column holds 200 characters.
    return key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()


def _store(messages: list[Message], *, first_time: bool = False) -> int:
    """Puts one event's messages in the outbox in two round trips; returns how many are new.

    The same rows `outbox.enqueue` writes, batched: an offer is on the intake hot path.
    `first_time`: the event's row was created in this very transaction (a new offer or
    referral), so none of its keys can exist yet; one round trip.
    """
    if first_time:
        Message.objects.bulk_create(messages, ignore_conflicts=True)
        return len(messages)
    keys = [m.dedupe_key for m in messages]
    known = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    new = [m for m in messages if m.dedupe_key not in known]
    # A concurrent run of the same event may win a key meanwhile: the unique key keeps theirs.
    Message.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _message(
    *, channel: str, to: str, kind: str, now: datetime, event: str, **fields: Any
) -> Message:
    if "subject" in fields:
        fields["subject"] = fields["subject"][:300]
    return Message(
        channel=channel,
        to=to,
        kind=kind,
        dedupe_key=_dedupe_key(event, channel, to),
        created_at=now,
        next_attempt_at=now,
        **fields,
    )


# --- Agents -------------------------------------------------------------------------------


def agent_channels(agent: Agent) -> list[tuple[str, str]]:
    """(channel, recipient) pairs the agent chose: email always, text and app if asked."""
    pairs: list[tuple[str, str]] = []
    if agent.email:
        pairs.append((Channel.EMAIL, agent.email))
    if agent.contact_method in TEXT_METHODS and agent.cell_phone:
        pairs.append((Channel.SMS, agent.cell_phone))
    if agent.contact_method in APP_METHODS:
        subscriptions = PushSubscription.objects.filter(agent=agent).order_by("pk")
        pairs.extend((Channel.PUSH, str(pk)) for pk in subscriptions.values_list("pk", flat=True))
    return pairs


def _to_agent(
    *,
    agent: Agent,
    kind: str,
    event: str,
    context: dict[str, Any],
    now: datetime,
    url: str,
    referral: Referral | None = None,
    offer: Offer | None = None,
    first_time: bool = False,
) -> int:
    language = agent_language(agent)
    tz = agent_time_zone(agent)
    with translation.override(language):
        context = {"agent": agent, "site_url": settings.SITE_URL, "url": url, **context}
        if "referral_language" in context:
            context["language_name"] = language_name(context["referral_language"])
    rendered: dict[str, str] = {}

    def part(name: str) -> str:
        if name not in rendered:
            rendered[name] = render(kind, name, context, language=language, tz=tz)
        return rendered[name]

    messages = []
    for channel, to in agent_channels(agent):
        fields: dict[str, Any] = {}
        if channel == Channel.EMAIL:
            fields = {"subject": part("subject.txt"), "body": part("email.txt")}
        elif channel == Channel.SMS:
            fields = {"body": part("sms.txt")}
        else:
            body = part("push_body.txt")
            payload = {"title": part("push_title.txt"), "body": body, "url": url, "tag": event}
            fields = {"body": body, "payload": payload}
        messages.append(
            _message(
                channel=channel,
                to=to,
                kind=kind,
                now=now,
                event=event,
                language=language,
                agent=agent,
                referral=referral,
                offer=offer,
                **fields,
            )
        )
    return _store(messages, first_time=first_time)


def notify_new_offer(*, offer: Offer, now: datetime, first_time: bool = False) -> int:
    """The new referral, by every channel the agent chose. Returns messages enqueued.

    `first_time`: the offer was written in this transaction (intake's hot path), so no
    message for it can exist yet and the duplicate check is skipped.
    """
    referral = offer.referral
    accept_url = offer_link_url(offer=offer, action=ACCEPT)
    return _to_agent(
        agent=offer.agent,
        kind="offer_new",
        event=f"offer_new:{offer.pk}",
        context={
            "referral": referral,
            "referral_language": referral.language,
            "deadline": offer.expires_at,
            "accept_url": accept_url,
            "reject_url": offer_link_url(offer=offer, action=REJECT),
        },
        now=now,
        url=accept_url,
        referral=referral,
        # Tied to the offer: the worker drops it if the offer is no longer pending.
        offer=offer,
        first_time=first_time,
    )


def notify_offer_missed(*, offer: Offer, now: datetime, paused: bool) -> int:
    """The offer's window passed unanswered and the referral moved on."""
    referral = offer.referral
    return _to_agent(
        agent=offer.agent,
        kind="offer_missed",
        event=f"offer_missed:{offer.pk}",
        context={
            "referral": referral,
            "referral_language": referral.language,
            "deadline": offer.expires_at,
            "paused": paused,
        },
        now=now,
        url=settings.AGENT_WORKSPACE_URL,
        referral=referral,
    )


def send_test_text(*, agent: Agent, now: datetime, event: str) -> bool:
    """The test text an agent gets after choosing texts at sign-up."""
    if not agent.cell_phone:
        return False
    language = agent_language(agent)
    body = render("test_text", "sms.txt", {"agent": agent}, language=language)
    message = enqueue(
        channel=Channel.SMS,
        to=agent.cell_phone,
        kind="test_text",
        now=now,
        language=language,
        body=body,
        agent=agent,
        dedupe_key=_dedupe_key(event, Channel.SMS, agent.cell_phone),
    )
    return message is not None


# --- Consumers ----------------------------------------------------------------------------


def status_url(*, referral: Referral, token: str) -> str:
    return settings.CONSUMER_STATUS_URL.format(id=referral.public_id, token=token)


def _to_consumer(
    *,
    referral: Referral,
    kind: str,
    event: str,
    context: dict[str, Any],
    now: datetime,
    first_time: bool = False,
) -> int:
    language = consumer_language(referral)
    context = {
        "referral": referral,
        "reference": referral.public_id,
        "site_url": settings.SITE_URL,
        "marketplace_site": MARKETPLACE_SITE,
        "marketplace_phone": MARKETPLACE_PHONE,
        **context,
    }
    recipients: list[tuple[str, str, dict[str, Any]]] = [
        (Channel.SMS, referral.phone, {"body": render(kind, "sms.txt", context, language=language)})
    ]
    if referral.email:
        email = {
            "subject": render(kind, "subject.txt", context, language=language),
            "body": render(kind, "email.txt", context, language=language),
        }
        recipients.append((Channel.EMAIL, referral.email, email))
    return _store(
        [
            _message(
                channel=channel,
                to=to,
                kind=kind,
                now=now,
                event=event,
                language=language,
                referral=referral,
                **fields,
            )
            for channel, to, fields in recipients
        ],
        first_time=first_time,
    )


def notify_referral_received(
    *, referral: Referral, token: str, now: datetime, first_time: bool = False
) -> int:
    """Request received: the reference number and a status link (the token is only known now)."""
    return _to_consumer(
        referral=referral,
        kind="consumer_received",
        event=f"consumer_received:{referral.pk}",
        context={"status_url": status_url(referral=referral, token=token)},
        now=now,
        first_time=first_time,
    )


def notify_consumer_accepted(*, offer: Offer, now: datetime) -> int:
    agent = offer.agent
    return _to_consumer(
        referral=offer.referral,
        kind="consumer_accepted",
        event=f"consumer_accepted:{offer.referral_id}",
        context={
            "agent_name": agent.full_name,
            "agent_npn": agent.npn,
            "agent_phone": display_phone(agent.cell_phone) if agent.cell_phone else "",
            "agent_email": agent.email,
        },
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
