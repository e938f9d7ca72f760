"""The contact details an agent keeps up to date themselves: cell phone, method, ZIP.

Name, email and NPN come from MLMS and are changed there, never here; a ZIP the agent
changes here is theirs from then on (agents/ownership.py).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Agent, ContactMethod
from agentmatch.agents.ownership import ZIP, mark_edited
from agentmatch.core.geo import UnknownZip, lookup_zip
from agentmatch.core.phones import normalize_phone


class ContactError(SettingError):
    field: str  # always one of ContactDetails' fields


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
        raise ContactError("cell_phone", str(exc), code="bad_phone") from exc
    if details.contact_method not in ContactMethod.values:
        raise ContactError(
            "contact_method", _("Choose one of the four contact methods."), code="bad_choice"
        )
    try:
        place = lookup_zip(details.zip_code)
    except UnknownZip as exc:
        raise ContactError("zip_code", str(exc), code="unknown_zip") from exc
    return {
        "cell_phone": phone,
        "contact_method": details.contact_method,
        "business_zip": place.zip_code,
        "business_city": place.city,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "time_zone": place.time_zone,
    }


def store_contact(*, agent: Agent, details: ContactDetails, now: datetime) -> list[str]:
    """Validates and stores the details; returns the names of the fields that changed.

    Never rebuilds the routing index: eligibility.agent_facts.update_contact does, once,
    when the location changed.
    """
    fields = clean_contact(details)
    changed = [name for name, value in fields.items() if getattr(agent, name) != value]
    Agent.objects.filter(pk=agent.pk).update(**fields, updated_at=now)  # type: ignore[arg-type]
    for name, value in fields.items():
        setattr(agent, name, value)
    if "business_zip" in changed:
        # A ZIP the agent set here is theirs: the roster no longer moves them.
        mark_edited(agent=agent, fields=[ZIP], now=now)
    return changed


def wants_texts(agent: Agent) -> bool:
    return agent.contact_method in (ContactMethod.EMAIL_TEXT_APP, ContactMethod.EMAIL_TEXT)
