"""The import pages' labels: `{{ run.kind|import_kind }}`, `{% import_status "run" status %}`."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from agentmatch.operations.import_labels import KIND_SHORT, RUN_STATUS, TAG_COLOUR, UPLOAD_STATUS

register = template.Library()


@register.filter
def import_kind(value: object) -> str:
    return str(KIND_SHORT.get(str(value), value))


@register.simple_tag
def import_status(of: str, value: object) -> SafeString:
    labels = RUN_STATUS if of == "run" else UPLOAD_STATUS
    text = labels.get(str(value), str(value))
    return format_html('<span class="usa-tag {}">{}</span>', TAG_COLOUR.get(str(value), ""), text)
