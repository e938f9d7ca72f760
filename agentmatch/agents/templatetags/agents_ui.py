"""Template helpers of the agent pages: the switch's state and USWDS form fields."""

from typing import Any

from django import forms, template
from django.utils import timezone
from django.utils.safestring import SafeString

from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.agents.services import availability_of

register = template.Library()


def switch_state(agent: Agent) -> dict[str, Any]:
    """What the green/red switch shows: availability right now and why."""
    now = timezone.now()
    result = availability_of(agent=agent, now=now)
    on_absence = "absence" in result.reason
    return {
        "agent": agent,
        "available": result.is_available,
        "mode": agent.availability_switch,
        "follows_hours": agent.availability_switch == AvailabilitySwitch.SCHEDULE,
        "paused": agent.paused_after_missed_offer_at is not None,
        "on_absence": on_absence,
        "changes_at": result.changes_at,
        # Pressing the switch flips what the agent sees.
        "next_switch": AvailabilitySwitch.OFF if result.is_available else AvailabilitySwitch.ON,
    }


@register.simple_tag(takes_context=True)
def availability_switch(context: template.Context) -> dict[str, Any] | None:
    if "switch" in context and isinstance(context["switch"], dict):
        return context["switch"]  # the view already worked it out
    request = context.get("request")
    user = getattr(request, "user", None)
    agent = getattr(user, "agent", None) if user is not None else None
    return switch_state(agent) if agent is not None else None


@register.filter
def uswds(field: forms.BoundField, extra_class: str = "") -> SafeString:
    """The field's widget with USWDS classes and its hint and error tied to it."""
    widget = field.field.widget
    if isinstance(widget, forms.Select):
        css = "usa-select"
    elif isinstance(widget, forms.Textarea):
        css = "usa-textarea"
    else:
        css = "usa-input"
    attrs: dict[str, str | bool] = {"class": f"{css} {extra_class}".strip()}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        attrs["class"] = f"{attrs['class']} {css}--error"
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def contact_method_label(value: str) -> str:
    from agentmatch.agents.labels import CONTACT_METHODS

    label = CONTACT_METHODS.get(value)  # type: ignore[call-overload]
    return str(label) if label is not None else value


@register.filter
def display_option_label(value: int) -> str:
    from agentmatch.agents.labels import DISPLAY_OPTIONS

    label = DISPLAY_OPTIONS.get(value)  # type: ignore[call-overload]
    return str(label) if label is not None else str(value)


@register.filter
def reason_text(reason: str) -> str:
    from agentmatch.agents.reasons import translate_reason

    return translate_reason(reason)[0]
