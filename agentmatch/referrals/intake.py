"""Validating a "Get Contacted" request before anything is stored."""

from collections.abc import Set
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from agentmatch.core.exchanges import exchange_name
from agentmatch.core.geo import UnknownZip, ZipPlace, lookup_zip
from agentmatch.core.languages import normalize_language
from agentmatch.core.phones import normalize_phone
from agentmatch.core.states import STATE_NAMES
from agentmatch.planyears.models import PlanYear


class IntakeError(ValueError):
    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ContactRequest:
    first_name: str
    last_name: str
    phone: str  # E.164
    email: str
    place: ZipPlace
    language: str
    consent_channel: str


def validate_contact_request(
    *,
    plan_year: PlanYear,
    served_states: Set[str],
    first_name: str,
    last_name: str,
    phone: str,
    email: str | None,
    zip_code: str,
    language: str,
    consent: bool,
    channel: str = "api",
) -> ContactRequest:
    if not plan_year.intake_open:
        raise IntakeError(
            "plan_year",
            plan_year.intake_paused_message
            or f"Requests for plan year {plan_year.year} are paused until intake reopens.",
            code="intake_paused",
        )
    if consent is not True:
        raise IntakeError("consent", "Consent to be contacted is required.", code="required")
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if not first:
        raise IntakeError("first_name", "First name is required.", code="required")
    if not last:
        raise IntakeError("last_name", "Last name is required.", code="required")
    if len(first) > 100 or len(last) > 100:
        raise IntakeError("first_name" if len(first) > 100 else "last_name", "Name is too long.")
    try:
        normalized_phone = normalize_phone(phone)
    except ValueError as exc:
        raise IntakeError("phone", str(exc)) from exc
    normalized_email = (email or "").strip()
    if normalized_email:
        try:
            validate_email(normalized_email)
        except ValidationError as exc:
            raise IntakeError("email", f"'{normalized_email}' is not an email address.") from exc
    try:
        place = lookup_zip(zip_code)
    except UnknownZip as exc:
        raise IntakeError("zip", str(exc)) from exc
    if place.state not in served_states:
        name = STATE_NAMES.get(place.state, place.state)
        raise IntakeError(
            "zip",
            f"ZIP {place.zip_code} is in {name}, which HealthCare.gov does not serve in "
            f"{plan_year.year}: {name}'s own exchange ({exchange_name(place.state)}) serves it.",
            code="state_not_served",
        )
    try:
        code = normalize_language(language)
    except ValueError as exc:
        raise IntakeError("language", str(exc)) from exc
    return ContactRequest(
        first_name=first,
        last_name=last,
        phone=normalized_phone,
        email=normalized_email,
        place=place,
        language=code,
        consent_channel=channel,
    )
