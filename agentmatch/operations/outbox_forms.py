"""The filters of the outbox and disclosures pages: parsed here, so a bad one is a 400."""

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agentmatch.core.npn import npn_key
from agentmatch.notifications.models import Channel, MessageStatus
from agentmatch.referrals.reference import parse_referral_number

CHANNEL_NAMES = {
    Channel.EMAIL: _("Email"),
    Channel.SMS: _("Text message"),
    Channel.PUSH: _("App notification"),
}
# Messages needing support's eyes first: the default view.
NOT_SENT = "unsent"
AGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}


class OutboxFilter(forms.Form):
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[
            (NOT_SENT, _("Failed or waiting")),
            (MessageStatus.FAILED, _("Failed")),
            (MessageStatus.PENDING, _("Waiting to be sent")),
            (MessageStatus.SENT, _("Sent")),
            (MessageStatus.SUPPRESSED, _("Not sent")),
        ],
    )
    channel = forms.ChoiceField(
        required=False,
        label=_("Channel"),
        choices=[("", _("Any")), *CHANNEL_NAMES.items()],
    )
    kind = forms.CharField(
        required=False,
        max_length=40,
        label=_("Kind"),
        validators=[RegexValidator(r"^[a-z0-9_]*$", _("A kind is lower-case letters and _."))],
    )
    age = forms.ChoiceField(
        required=False,
        label=_("Made within"),
        choices=[
            ("", _("Any time")),
            ("1h", _("The last hour")),
            ("24h", _("The last 24 hours")),
            ("7d", _("The last 7 days")),
        ],
    )

    def filters(self, now: datetime) -> Q:
        data = self.cleaned_data
        status = data.get("status") or NOT_SENT
        found = (
            Q(status__in=[MessageStatus.FAILED, MessageStatus.PENDING])
            if status == NOT_SENT
            else Q(status=status)
        )
        if data.get("channel"):
            found &= Q(channel=data["channel"])
        if data.get("kind"):
            found &= Q(kind=data["kind"])
        if data.get("age"):
            found &= Q(created_at__gte=now - AGES[data["age"]])
        return found


class DisclosureFilter(forms.Form):
    """An agent's NPN, a referral's reference, and days in the operator's own time zone."""

    npn = forms.CharField(
        required=False,
        max_length=10,
        label=_("Agent's NPN"),
        validators=[RegexValidator(r"^\d*$", _("An NPN is digits only."))],
    )
    ref = forms.CharField(required=False, max_length=40, label=_("Reference number"))
    date_from = forms.DateField(required=False, label=_("From"))
    date_to = forms.DateField(required=False, label=_("To (included)"))

    def clean_ref(self) -> tuple[str | None, UUID | None] | None:
        text = str(self.cleaned_data.get("ref") or "").strip()
        if not text:
            return None
        code, public_id = parse_referral_number(text)
        if code is None and public_id is None:
            raise forms.ValidationError(_("A reference number looks like K7QF-3M9D."))
        return code, public_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The last day must not be before the first."))
        return data

    def filters(self) -> Q:
        data = self.cleaned_data
        found = Q()
        if data.get("npn"):
            found &= Q(agent__npn_key=npn_key(data["npn"]))
        if data.get("ref"):
            code, public_id = data["ref"]
            found &= (
                Q(referral__reference_code=code)
                if code is not None
                else Q(referral__public_id=public_id)
            )
        zone = timezone.get_current_timezone()
        first: date | None = data.get("date_from")
        last: date | None = data.get("date_to")
        if first:
            found &= Q(at__gte=datetime.combine(first, time.min, tzinfo=zone))
        if last:
            found &= Q(at__lt=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone))
        return found
