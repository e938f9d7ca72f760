"""Template helpers for the support pages: state words and coloured tags."""

from django import template
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
