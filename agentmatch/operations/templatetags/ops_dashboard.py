"""How the dashboard writes its figures, in the page's language (decimal comma in Spanish)."""

from datetime import timedelta

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

NONE = "\u2013"  # an en dash: no figure


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return NONE
    return _("%(number)s%%") % {"number": number_format(value, 1)}


@register.filter
def decimal(value: float | None, places: int = 2) -> str:
    if value is None:
        return NONE
    return number_format(value, places)


@register.filter
def count(value: int) -> str:
    return number_format(value, force_grouping=True)


@register.filter
def minutes(value: timedelta | None) -> str:
    """A duration as minutes with one decimal, or hours and minutes beyond an hour."""
    if value is None:
        return NONE
    total = value.total_seconds() / 60
    if total < 60:
        return _("%(minutes)s min") % {"minutes": number_format(total, 1)}
    hours, rest = divmod(round(total), 60)
    return _("%(hours)s h %(minutes)d min") % {
        "hours": number_format(hours, force_grouping=True),
        "minutes": rest,
    }
