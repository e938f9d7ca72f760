"""The contact details an agent keeps up to date themselves: cell phone, method, ZIP.

Name, email and NPN come from MLMS and are changed there, never here.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from agentmatch.agents.models import Agent, ContactMethod
from agentmatch.core.geo import UnknownZip, lookup_zip
from agentmatch.core.phones import normalize_phone
from agentmatch.eligibility.routing_table import rebuild_slots


class ContactError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ContactDetails:
    cell_phone: str
    contact_method: str
    zip_code: str


def clean_contact(details: ContactDetails) -> dict[str, object]:
    """Validates and normalises; raises ContactError naming the first bad field."""
    try:
        phone = normalize_phone(details.cell_phone)
    except ValueError as exc:
        raise ContactError("cell_phone", str(exc)) from exc
    if details.contact_method not in ContactMethod.values:
        raise ContactError("contact_method", _("Choose one of the four contact methods."))
    try:
        place = lookup_zip(details.zip_code)
    except UnknownZip as exc:
        raise ContactError("zip_code", str(exc)) from exc
    return {
        "cell_phone": phone,
        "contact_method": details.contact_method,
        "business_zip": place.zip_code,
        "business_city": place.city,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "time_zone": place.time_zone,
    }


def update_contact(*, agent: Agent, details: ContactDetails, now: datetime) -> Agent:
    fields = clean_contact(details)
    Agent.objects.filter(pk=agent.pk).update(**fields, updated_at=now)  # type: ignore[arg-type]
    for name, value in fields.items():
        setattr(agent, name, value)
    rebuild_slots(agent_ids=[agent.pk])  # the routing index holds the location
    return agent


def wants_texts(agent: Agent) -> bool:
    return agent.contact_method in (ContactMethod.EMAIL_TEXT_APP, ContactMethod.EMAIL_TEXT)
