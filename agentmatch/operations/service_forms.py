"""Inputs of the intake and plan-year controls: checked here, so bad input is a 400 naming
the problem, never a 500 nor a half-made change."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agentmatch.accounts.text import has_control_characters
from agentmatch.core.states import STATE_CHOICES
from agentmatch.eligibility.actions import (
    EARLIEST_PLAN_YEAR,
    LATEST_PLAN_YEAR,
    PAUSED_MESSAGE_MAX,
)
from agentmatch.planyears.services import STATES_SERVED_2026

PRESET_2026 = "healthcare-gov-2026"


class MessageField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=PAUSED_MESSAGE_MAX, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        # Line breaks too: the message is shown as one paragraph.
        if value and has_control_characters(value):
            raise forms.ValidationError(
                _("The message contains a control character (a line break, a tab…)."),
                code="control_character",
            )


class IntakeForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("pause", "pause"), ("resume", "resume"), ("message", "message")]
    )
    message = MessageField(label=_("Message in English"))
    message_es = MessageField(label=_("Message in Spanish"))


class StatesForm(forms.Form):
    """The states served; each checked state may also be marked SBM-FP."""

    states = forms.MultipleChoiceField(
        choices=STATE_CHOICES,
        label=_("States served"),
        error_messages={"required": _("Choose at least one state served.")},
    )
    sbm_fp = forms.MultipleChoiceField(choices=STATE_CHOICES, required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def chosen(self) -> list[str]:
        """In the form eligibility takes: 'AR*' marks an SBM-FP state."""
        sbm = set(self.cleaned_data.get("sbm_fp") or [])
        return [s + ("*" if s in sbm else "") for s in self.cleaned_data["states"]]


class NewPlanYearForm(StatesForm):
    year = forms.IntegerField(
        label=_("Plan year"),
        min_value=EARLIEST_PLAN_YEAR,
        max_value=LATEST_PLAN_YEAR,
        error_messages={
            "required": _("Give the plan year, for example 2027."),
            "invalid": _("Give the plan year as a number, for example 2027."),
            # The same bounds as eligibility.actions (EARLIEST_/LATEST_PLAN_YEAR).
            "min_value": _("A plan year is between 2014 and 2100."),
            "max_value": _("A plan year is between 2014 and 2100."),
        },
    )
    field_order = ["year", "states", "sbm_fp"]


def preset_2026() -> dict[str, list[str]]:
    """The HealthCare.gov states of plan year 2026, as the states form's initial data."""
    return {
        "states": [s.rstrip("*") for s in STATES_SERVED_2026],
        "sbm_fp": [s.rstrip("*") for s in STATES_SERVED_2026 if s.endswith("*")],
    }
