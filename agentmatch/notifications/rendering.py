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

from django.contrib.auth import get_user_model
from django.template import Context, engines
from django.utils import timezone, translation

from agentmatch.agents.models import Agent
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.notifications.models import Channel, Message


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

    The templates of a kind are `notifications/<kind>/<part>`, kept by the app that owns
    the kind (referrals/templates/notifications/offer_new/, ...).

    Plain text, so nothing is HTML-escaped ("Coeur d'Alene" stays as it is).
    """
    template = engines["django"].get_template(f"notifications/{kind}/{part}")
    with translation.override(language), timezone.override(tz or timezone.get_current_timezone()):
        text = template.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]
    return text.strip() if part == "email.txt" else " ".join(text.split())


# --- Per channel ----------------------------------------------------------------------------


def channel_fields(
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


# --- Registry -----------------------------------------------------------------------------

Renderer = Callable[[Message], dict[str, Any]]

# kind -> what fills its words; each app registers its kinds in its AppConfig.ready()
# (referrals: the offer and consumer messages), as core.jobs does for the worker's jobs.
RENDERERS: dict[str, Renderer] = {}


def register_renderer(kind: str, renderer: Renderer) -> None:
    RENDERERS[kind] = renderer


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
