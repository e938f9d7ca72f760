"""Template helpers for the live queue: ages in minutes, short referral numbers."""

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
def language(code: str) -> str:
    return language_label(code)
