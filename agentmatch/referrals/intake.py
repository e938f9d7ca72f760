"""Validating a "Get Contacted" request before anything is stored: the one validator that
the web form and the API both go through (by way of actions.requests.submit_request).

Every field is checked and every problem reported at once (InvalidRequest.errors), so a
form can tie each message to its field.
"""

import unicodedata
from collections.abc import Set
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from agentmatch.core.exchanges import exchange_name
from agentmatch.core.geo import UnknownZip, ZipPlace, lookup_zip
from agentmatch.core.languages import normalize_language
from agentmatch.core.phones import PhoneNotAllowed, consumer_phone
from agentmatch.core.states import STATE_NAMES
from agentmatch.planyears.models import PlanYear

NAME_MAX = 100


class IntakeError(ValueError):
    """A request the intake refuses: a stable `code`, a message, the `field` concerned."""

    def __init__(self, field: str | None, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


class InvalidRequest(IntakeError):
    """One or more fields are wrong: `errors` holds one IntakeError per wrong field, in the
    order of the form; the exception itself reads as the first of them."""

    def __init__(self, errors: list[IntakeError]) -> None:
        first = errors[0]
        super().__init__(first.field, first.message, first.code)
        self.errors = tuple(errors)


@dataclass(frozen=True)
class ContactRequest:
    first_name: str
    last_name: str
    phone: str  # E.164
    email: str
    place: ZipPlace
    language: str
    consent_channel: str


def check_intake_open(plan_year: PlanYear, language: str = "en") -> None:
    """IntakeError while intake is paused, with the administrators' message in the
    consumer's language (the other language's when only that one was written)."""
    if not plan_year.intake_open:
        spanish = str(language or "").strip().lower().startswith("es")
        default = (
            f"Las solicitudes para el año del plan {plan_year.year} están en pausa hasta que "
            "se reanuden."
            if spanish
            else f"Requests for plan year {plan_year.year} are paused until intake reopens."
        )
        raise IntakeError(
            "plan_year",
            plan_year.paused_message("es" if spanish else "en") or default,
            code="intake_paused",
        )


def _name(field: str, value: str, words: str) -> str:
    name = (value or "").strip()
    if not name:
        raise IntakeError(field, f"{words} is required.", code="required")
    if any(unicodedata.category(c) == "Cc" for c in name):
        # NUL and other control characters: never a name, and NUL breaks PostgreSQL.
        raise IntakeError(field, f"{words} contains a control character.", code="control_character")
    if len(name) > NAME_MAX:
        raise IntakeError(field, f"{words} is too long (at most {NAME_MAX} characters).")
    return name


def _phone(value: str) -> str:
    try:
        return consumer_phone(value, extra_countries=settings.CONSUMER_PHONE_EXTRA_COUNTRIES)
    except PhoneNotAllowed as exc:
        raise IntakeError("phone", str(exc), code="phone_not_allowed") from exc
    except ValueError as exc:
        raise IntakeError("phone", str(exc)) from exc


def _email(value: str | None) -> str:
    email = (value or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise IntakeError("email", f"'{email}' is not an email address.") from exc
    return email


def _place(zip_code: str, plan_year: PlanYear, served_states: Set[str]) -> ZipPlace:
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
    return place


def _language(value: str) -> str:
    try:
        return normalize_language(value)
    except ValueError as exc:
        raise IntakeError("language", str(exc)) from exc


def _consent(value: bool) -> None:
    if value is not True:
        raise IntakeError("consent", "Consent to be contacted is required.", code="required")


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
    """The request, normalised; IntakeError (code intake_paused) while intake is paused,
    InvalidRequest naming every wrong field otherwise."""
    check_intake_open(plan_year, language)
    errors: list[IntakeError] = []
    checked: dict[str, object] = {}
    checks = {
        "consent": lambda: _consent(consent),
        "first_name": lambda: _name("first_name", first_name, "First name"),
        "last_name": lambda: _name("last_name", last_name, "Last name"),
        "phone": lambda: _phone(phone),
        "email": lambda: _email(email),
        "zip": lambda: _place(zip_code, plan_year, served_states),
        "language": lambda: _language(language),
    }
    for field, check in checks.items():
        try:
            checked[field] = check()
        except IntakeError as exc:
            errors.append(exc)
    if errors:
        raise InvalidRequest(errors)
    place = checked["zip"]
    assert isinstance(place, ZipPlace)
    return ContactRequest(
        first_name=str(checked["first_name"]),
        last_name=str(checked["last_name"]),
        phone=str(checked["phone"]),
        email=str(checked["email"]),
        place=place,
        language=str(checked["language"]),
        consent_channel=channel,
    )
