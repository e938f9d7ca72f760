"""Template helpers for the live queue: ages in minutes, short referral numbers."""

from uuid import UUID

from django import template
from django.utils.translation import gettext

from agentmatch.operations.labels import language_label

register = template.Library()


@register.filter
def minutes(seconds: int) -> str:
    """How long, as an operator reads it at a glance: "12 min", "2 h 05 min"."""
    whole = max(0, int(seconds)) // 60
    if whole < 60:
        return gettext("%(minutes)d min") % {"minutes": whole}
    return gettext("%(hours)d h %(minutes)02d min") % {"hours": whole // 60, "minutes": whole % 60}


@register.filter
def short_reference(public_id: UUID) -> str:
    """The first block of the referral number: enough to tell rows apart and to read out;
    the link opens the full timeline."""
    return str(public_id)[:8]


@register.filter
def language(code: str) -> str:
    return language_label(code)
