"""The "Get Contacted" form: the API's own checks (referrals.intake), worded for people.

The intake stops at the first problem it finds. So that a person sees every field to fix
at once, the form asks again with each failed field stood in by a valid value, until the
intake passes or fails on a field that has no stand-in (the ZIP, whose checks come last).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from agentmatch.core.exchanges import STATE_EXCHANGES
from agentmatch.core.geo import UnknownZip, lookup_zip, normalize_zip
from agentmatch.core.states import STATE_NAMES
from agentmatch.planyears.services import IntakeSettings
from agentmatch.referrals.intake import ContactRequest, IntakeError, validate_contact_request

FIELDS = ("first_name", "last_name", "phone", "email", "zip", "language", "consent")
HONEYPOT = "website"

# Values the intake accepts, standing in for a field already known to be wrong.
_STAND_INS: dict[str, object] = {
    "consent": True,
    "first_name": "A",
    "last_name": "A",
    "phone": "+12025550143",
    "email": "",
}


class IntakePaused(Exception):
    pass


@dataclass
class FormCheck:
    values: dict[str, str]
    consent: bool
    contact: ContactRequest | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # Set when the ZIP is in a state HealthCare.gov does not serve this plan year.
    unserved_state: str = ""


def _message(exc: IntakeError, values: Mapping[str, object], plan_year: int) -> tuple[str, str]:
    """(message for the person, unserved state code or "")."""
    name_too_long = exc.code == "invalid"
    if exc.field == "consent":
        return _("Check the box to agree to be contacted."), ""
    if exc.field == "first_name":
        if name_too_long:
            return _("Enter a first name of 100 characters or fewer."), ""
        return _("Enter your first name."), ""
    if exc.field == "last_name":
        if name_too_long:
            return _("Enter a last name of 100 characters or fewer."), ""
        return _("Enter your last name."), ""
    if exc.field == "phone":
        return _("Enter a phone number with its area code, like 608-555-0123."), ""
    if exc.field == "email":
        return _("Enter an email address like name@example.com, or leave it empty."), ""
    if exc.field == "zip":
        raw = str(values.get("zip") or "")
        if exc.code == "state_not_served":
            place = lookup_zip(raw)
            state = STATE_NAMES.get(place.state, place.state)
            words = {"zip": place.zip_code, "state": state, "year": str(plan_year)}
            exchange = STATE_EXCHANGES.get(place.state)
            if exchange:
                words["exchange"] = exchange
                text = _(
                    "ZIP code %(zip)s is in %(state)s. HealthCare.gov does not serve %(state)s "
                    "in %(year)s: %(state)s's own Marketplace, %(exchange)s, can help you."
                )
            else:
                text = _(
                    "ZIP code %(zip)s is in %(state)s. HealthCare.gov does not serve %(state)s "
                    "in %(year)s: the state's own Marketplace can help you."
                )
            return text % words, place.state
        try:
            code = normalize_zip(raw)
        except UnknownZip:
            return _("Enter a 5-digit ZIP code, like 53703."), ""
        return _("We do not know the ZIP code %(zip)s. Check it and try again.") % {"zip": code}, ""
    if exc.field == "language":
        return _("Choose a language from the list."), ""
    return _("Check this field."), ""


def check_form(*, data: Mapping[str, str], current: IntakeSettings) -> FormCheck:
    """Validates the posted form with the intake's rules; raises IntakePaused."""
    values = {name: str(data.get(name, "")).strip() for name in FIELDS if name != "consent"}
    consent = data.get("consent") == "yes"
    result = FormCheck(values=values, consent=consent)
    asked: dict[str, object] = {**values, "consent": consent}
    for _attempt in range(len(FIELDS) + 1):
        try:
            contact = validate_contact_request(
                plan_year=current.plan_year,
                served_states=current.served_states,
                first_name=str(asked["first_name"]),
                last_name=str(asked["last_name"]),
                phone=str(asked["phone"]),
                email=str(asked["email"]),
                zip_code=str(asked["zip"]),
                language=str(asked["language"]),
                consent=asked["consent"] is True,
                channel="web",
            )
        except IntakeError as exc:
            if exc.field == "plan_year":
                raise IntakePaused from exc
            message, unserved = _message(exc, asked, current.plan_year.year)
            result.errors.setdefault(exc.field, message)
            result.unserved_state = result.unserved_state or unserved
            if exc.field not in _STAND_INS or asked[exc.field] == _STAND_INS[exc.field]:
                break
            asked[exc.field] = _STAND_INS[exc.field]
            continue
        if not result.errors:
            result.contact = contact
        break
    return result
