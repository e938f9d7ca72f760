"""The operator pages' inputs: parsed and checked here, so a bad one is a 400, not a 500."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agentmatch.operations.models import ExportKind


class AgentSearchForm(forms.Form):
    # Django's CharField refuses NUL characters (PostgreSQL cannot compare with them).
    q = forms.CharField(required=False)

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "")[:200]


class ExportForm(forms.Form):
    """A period of whole days in the operator's own time zone, both days included."""

    kind = forms.ChoiceField(
        choices=[
            (ExportKind.REFERRALS, _("Referrals")),
            (ExportKind.OFFERS, _("Offers")),
            (ExportKind.UNMATCHED, _("Unmatched requests")),
        ],
        label=_("What"),
        # Radio buttons on the page: each choice gets its own id for its label.
        widget=forms.RadioSelect,
    )
    date_from = forms.DateField(label=_("From"))
    date_to = forms.DateField(label=_("To (included)"))
    with_contact_details = forms.BooleanField(
        required=False, label=_("Include consumers' names, phones, emails and ZIP codes")
    )

    def __init__(self, *args: Any, may_include_contact_details: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_include_contact_details:
            del self.fields["with_contact_details"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The last day must not be before the first."))
        return data

    def period(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        first: date = self.cleaned_data["date_from"]
        last: date = self.cleaned_data["date_to"]
        return (
            datetime.combine(first, time.min, tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
        )
