"""Every closed set the API reads or answers, as an enum built from the model's own choices
(or the one table the domain keeps), so the document and the database never drift.

Each is a StrEnum: str(member) is its value, and the OpenAPI document names the set once
(components/schemas) for every property that uses it.
"""

from enum import StrEnum

from agentmatch.agents.models import AvailabilitySwitch, ContactMethod
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.states import STATE_CHOICES
from agentmatch.notifications.models import Channel as NotificationChannel
from agentmatch.referrals.models import OfferStatus, ReferralStatus
from agentmatch.workspace.models import FollowUpStatus
from agentmatch.workspace.queries import NO_FOLLOW_UP


def _enum(name: str, values: list[str]) -> type[StrEnum]:
    return StrEnum(name, {value: value for value in values})  # type: ignore[return-value]


Language = _enum("Language", list(LANGUAGE_NAMES))
UsState = _enum("UsState", [code for code, _name in STATE_CHOICES])
RequestStatus = _enum("RequestStatus", list(ReferralStatus.values))
Outcome = _enum("Outcome", list(OfferStatus.values))
FollowUpState = _enum("FollowUpState", list(FollowUpStatus.values))
FollowUpFilter = _enum("FollowUpFilter", [NO_FOLLOW_UP, *FollowUpStatus.values])
Switch = _enum("Switch", list(AvailabilitySwitch.values))
OnOff = _enum("OnOff", [AvailabilitySwitch.ON.value, AvailabilitySwitch.OFF.value])
ContactMethodChoice = _enum("ContactMethod", list(ContactMethod.values))
TestChannel = _enum("TestChannel", list(NotificationChannel.values))
