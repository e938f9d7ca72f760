"""The "Get Contacted" form: what was posted, and the intake's verdict worded for people.

The rules are the intake's own (referrals.intake, through actions.requests.submit_request):
it reports every wrong field at once, and this module gives each its message.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from agentmatch.core.exchanges import STATE_EXCHANGES
from agentmatch.core.geo import UnknownZip, lookup_zip, normalize_zip
from agentmatch.core.states import STATE_NAMES
from agentmatch.referrals.actions.requests import RequestFields
from agentmatch.referrals.intake import IntakeError, InvalidRequest

FIELDS = ("first_name", "last_name", "phone", "email", "zip", "language", "consent")
HONEYPOT = "website"


@dataclass
class FormCheck:
    values: dict[str, str]
    consent: bool
    errors: dict[str, str] = field(default_factory=dict)
    # Set when the ZIP is in a state HealthCare.gov does not serve this plan year.
    unserved_state: str = ""

    def fields(self) -> RequestFields:
        return RequestFields(
            first_name=self.values["first_name"],
            last_name=self.values["last_name"],
            phone=self.values["phone"],
            email=self.values["email"],
            zip_code=self.values["zip"],
            language=self.values["language"],
            consent=self.consent,
        )


def _message(exc: IntakeError, values: Mapping[str, object], plan_year: int) -> tuple[str, str]:
    """(message for the person, unserved state code or "")."""
    name_too_long = exc.code == "invalid"
    if exc.code == "control_character":
        return _("Remove the special characters from this field."), ""
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
        if exc.code == "phone_not_allowed":
            return _(
                "Enter a US mobile or landline number. We cannot use premium-rate, "
                "toll-free or international numbers."
            ), ""
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


def read_form(data: Mapping[str, str]) -> FormCheck:
    values = {name: str(data.get(name, "")).strip() for name in FIELDS if name != "consent"}
    return FormCheck(values=values, consent=data.get("consent") == "yes")


def explain(check: FormCheck, invalid: InvalidRequest, plan_year: int) -> FormCheck:
    """Ties each of the intake's errors to its field, in the page's language."""
    for error in invalid.errors:
        message, unserved = _message(error, check.values, plan_year)
        if error.field:
            check.errors.setdefault(error.field, message)
        check.unserved_state = check.unserved_state or unserved
    return check
