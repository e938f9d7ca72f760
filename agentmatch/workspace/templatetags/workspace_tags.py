"""Template helpers for the workspace pages and the agent header bar."""

from typing import Any

from django import template
from django.utils import timezone, translation

from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.phones import display_phone
from agentmatch.workspace.forms import OUTCOME_CHOICES
from agentmatch.workspace.models import FollowUpStatus
from agentmatch.workspace.queries import pending_count

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_offer_count(context: dict[str, Any]) -> int:
    """Offers waiting for the logged-in agent's answer (the header bar's number)."""
    request = context.get("request")
    agent_id = getattr(getattr(request, "user", None), "agent_id", None)
    if not agent_id:
        return 0
    return pending_count(agent_id=agent_id, now=timezone.now())


@register.filter
def language_label(code: str) -> str:
    """The language's name in the page's language ("Spanish", "español")."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return LANGUAGE_NAMES.get(code, code)


@register.filter
def minutes_seconds(seconds: int) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


_OUTCOMES = {value: label for value, label in OUTCOME_CHOICES if value}


@register.filter
def outcome_label(status: str) -> str:
    return str(_OUTCOMES.get(status, status))


@register.filter
def follow_up_label(status: str | None) -> str:
    if not status:
        return ""
    return str(FollowUpStatus(status).label)


@register.filter
def phone_display(e164: str) -> str:
    return display_phone(e164) if e164 else ""
