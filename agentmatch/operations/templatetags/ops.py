"""Template helpers for the support pages: state words, coloured tags and times."""

from datetime import datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html

from agentmatch.operations.labels import TAG_COLOURS, label

register = template.Library()


@register.filter(name="ops_label")
def ops_label(value: object, kind: str) -> str:
    return label(kind, value)


@register.simple_tag
def ops_tag(kind: str, value: object) -> str:
    colour = TAG_COLOURS.get(str(value), "")
    return format_html('<span class="usa-tag {}">{}</span>', colour, label(kind, value))


@register.simple_tag
def yes_no_tag(value: object, yes: str, no: str) -> str:
    colour = "bg-green" if value else "bg-secondary-dark"
    return format_html('<span class="usa-tag {}">{}</span>', colour, yes if value else no)


@register.filter(expects_localtime=True)
def when(value: datetime | None, format_name: str = "SHORT_DATETIME_FORMAT") -> str:
    """A moment in the operator's zone with the zone's abbreviation, as a <time> element:
    "12/01/2026 9:14 a.m. EST". Empty for no value (so `|default:"—"` still works).

    The zone is the one operator_required activated; `expects_localtime` makes Django
    convert the value into it before this runs."""
    if not value:
        return ""
    return format_html(
        '<time datetime="{}">{} {}</time>',
        date_filter(value, "c"),
        date_filter(value, format_name),
        date_filter(value, "T"),
    )
