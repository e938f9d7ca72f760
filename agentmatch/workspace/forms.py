"""Forms of the agent workspace: the follow-up status and the history filters."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agentmatch.referrals.models import OfferStatus
from agentmatch.workspace.models import FollowUpStatus
from agentmatch.workspace.queries import NO_FOLLOW_UP
from agentmatch.workspace.services import (
    MAX_APPLICATION_ID,
    MAX_REASON,
    FollowUpError,
    FollowUpInput,
    validate_follow_up,
)


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Follow-up status"),
        choices=FollowUpStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a follow-up status.")},
    )
    application_id = forms.CharField(
        label=_("Application ID"),
        help_text=_("Required for Enrolled: the Marketplace application ID."),
        required=False,
        max_length=MAX_APPLICATION_ID,
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required for Deferred, Not a good prospect and Could not reach."),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            valid = validate_follow_up(
                FollowUpInput(
                    status=data.get("status", ""),
                    application_id=data.get("application_id", ""),
                    reason=data.get("reason", ""),
                )
            )
        except FollowUpError as exc:
            self.add_error(exc.field, exc.message)
            return data
        data["follow_up"] = valid
        return data


OUTCOME_CHOICES = [
    ("", _("Any outcome")),
    (OfferStatus.PENDING, _("Waiting for your answer")),
    (OfferStatus.ACCEPTED, _("Accepted")),
    (OfferStatus.REJECTED, _("Rejected")),
    (OfferStatus.EXPIRED, _("Expired (not answered in time)")),
    (OfferStatus.CANCELED, _("Canceled by the consumer")),
]
FOLLOW_UP_FILTER_CHOICES = [
    ("", _("Any follow-up status")),
    (NO_FOLLOW_UP, _("No follow-up yet")),
    *FollowUpStatus.choices,
]


# Far-off dates mean a typo; they would also overflow when turned into times of day.
FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2099, 12, 31)


class HistoryFilterForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, required=False)
    follow_up = forms.ChoiceField(
        label=_("Follow-up status"), choices=FOLLOW_UP_FILTER_CHOICES, required=False
    )
    date_from = forms.DateField(
        label=_("Offered on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2026-01-31.")},
    )
    date_to = forms.DateField(
        label=_("Offered on or before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date such as 2026-01-31.")},
    )

    def _in_range(self, name: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            )
        return value

    def clean_date_from(self) -> date | None:
        return self._in_range("date_from")

    def clean_date_to(self) -> date | None:
        return self._in_range("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data
