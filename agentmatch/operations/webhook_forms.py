"""The webhooks pages' inputs: parsed here, so a bad one is a 400 with a message.

The rules on the URL and the events are the step's (webhooks.subscriptions), so the
page says what the action would refuse, in the same words.
"""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agentmatch.partners.models import PartnerKey
from agentmatch.webhooks.models import TEST_EVENT, DeliveryState, EventType

EVENT_CHOICES = [(value, value) for value in EventType.values]
STATE_NAMES = {
    DeliveryState.PENDING: _("Waiting"),
    DeliveryState.DELIVERED: _("Delivered"),
    DeliveryState.FAILED: _("Failed"),
}


class PartnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.prefix})"


class NewWebhookForm(forms.Form):
    partner = PartnerChoice(
        label=_("Partner"),
        queryset=PartnerKey.objects.filter(revoked_at__isnull=True).order_by("name"),
        empty_label=_("- Select -"),
        error_messages={"invalid_choice": _("Choose a partner whose key is not revoked.")},
    )
    url = forms.CharField(label=_("URL"), max_length=500)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    include_consumer_details = forms.BooleanField(
        label=_("Include the consumer's name, phone number and email (only for partners allowed)"),
        required=False,
    )


class DeliveryFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any")), *STATE_NAMES.items()],
    )
    event_type = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("Any")), *EVENT_CHOICES, (TEST_EVENT, TEST_EVENT)],
    )

    def filters(self) -> Q:
        found = Q()
        if state := self.cleaned_data.get("state"):
            found &= Q(state=state)
        if event_type := self.cleaned_data.get("event_type"):
            found &= Q(event_type=event_type)
        return found


class PartnerDetailsForm(forms.Form):
    allowed = forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda v: v == "yes"
    )
