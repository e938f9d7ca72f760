"""Turning an outbox row into words: done by the delivery worker, not by the event.

An event (a new offer, a request received) stores its messages with only a `context` of
ids and flags, which costs the event's transaction one insert and no template work. The
delivery worker renders each message right before its first attempt, in the recipient's
language and (for agents) time zone, from the rows as they are then. The context is then
emptied: it may hold a secret (the consumer's status token) that the rendered body now
carries, and redaction removes it from there once the message is done with.

The worker renders a batch of messages at a time (`rendering_batch`): the email, the text
and the app notification about one offer read that offer and its agent once, and the
rows their words need (one-tap links) are inserted together, in the claim's transaction.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import models
from django.template import Context, engines
from django.utils import timezone, translation

from agentmatch.agents.models import Agent, AgentLanguage
from agentmatch.core.bulk import insert_rows
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.notifications.models import Channel, Message


class CannotRender(Exception):
    """The rows a message is about are gone; it can never be sent."""


# --- One batch ----------------------------------------------------------------------------


class _Batch:
    def __init__(self) -> None:
        self.read: dict[Hashable, Any] = {}
        self.rows: list[models.Model] = []


_batch: ContextVar[_Batch | None] = ContextVar("rendering batch", default=None)


@contextmanager
def rendering_batch() -> Iterator[None]:
    """Renders inside share what they read (`remembered`), and the rows they add
    (`add_row`) are inserted when the block ends, one statement per model. Call it
    inside the transaction that stores the rendered words."""
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
        by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        for row in batch.rows:
            by_model[type(row)].append(row)
        for model, rows in by_model.items():
            insert_rows(model, rows)
    finally:
        _batch.reset(token)


def remember(key: Hashable, value: Any) -> None:
    """Gives `remembered(key, ...)` its value for the rest of the batch (a preloader's
    read of many rows at once); outside a batch, nothing."""
    batch = _batch.get()
    if batch is not None:
        batch.read[key] = value


Preloader = Callable[[list[Message]], None]

# Each reads, in a few queries, what the renders of a batch's messages will ask for, and
# `remember`s it: an app registers one beside its renderers (referrals: the offers).
PRELOADERS: list[Preloader] = []


def register_preloader(preloader: Preloader) -> None:
    if preloader not in PRELOADERS:
        PRELOADERS.append(preloader)


def preload(messages: list[Message]) -> None:
    """Runs the preloaders over the messages about to be rendered in this batch."""
    if messages and _batch.get() is not None:
        for preloader in PRELOADERS:
            preloader(messages)


def remembered[T](key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, once per key in a rendering batch (every time outside one)."""
    batch = _batch.get()
    if batch is None:
        return read()
    if key not in batch.read:
        batch.read[key] = read()
    return batch.read[key]  # type: ignore[no-any-return]


def add_row(row: models.Model) -> None:
    """Stores a row a message's words refer to: at the end of the rendering batch, or now."""
    batch = _batch.get()
    if batch is None:
        row.save(force_insert=True)
    else:
        batch.rows.append(row)


# --- Language and time --------------------------------------------------------------------


def agent_language(agent: Agent) -> str:
    """The language the agent chose on the site; if none, Spanish when the agent speaks
    Spanish and not English; English otherwise."""
    return remembered(("agent language", agent.pk), lambda: _agent_language(agent))


def remember_agent_languages(agents: list[Agent]) -> None:
    """agent_language of each of these agents, in two queries, for the rest of the batch."""
    ids = {agent.pk for agent in agents}
    if not ids:
        return
    chosen = dict(
        get_user_model()
        .objects.filter(agent__in=ids, language__in=("en", "es"))
        .values_list("agent_id", "language")
    )
    spoken: dict[int, set[str]] = defaultdict(set)
    others = ids - chosen.keys()
    rows = AgentLanguage.objects.filter(agent__in=others).values_list("agent_id", "language")
    for agent_id, language in rows:
        spoken[agent_id].add(language)
    for pk in ids:
        remember(("agent language", pk), chosen.get(pk) or _from_spoken(spoken[pk]))


def _from_spoken(spoken: set[str]) -> str:
    return "es" if "es" in spoken and "en" not in spoken else "en"


def _agent_language(agent: Agent) -> str:
    # The user model through settings, as Django intends: accounts sits above this app.
    chosen = get_user_model().objects.filter(agent=agent).values_list("language", flat=True).first()
    if chosen in ("en", "es"):
        return str(chosen)
    return _from_spoken(set(agent.languages.values_list("language", flat=True)))


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
