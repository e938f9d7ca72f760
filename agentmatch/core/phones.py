"""Phone numbers, normalised to E.164 with `phonenumbers` (US numbers by default)."""

from collections.abc import Collection

import phonenumbers
from phonenumbers import PhoneNumberType

# The United States and the territories that share its +1 numbering plan.
US_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP"})

# Numbers that ring one person's phone. Everything else (premium-rate 900, toll-free 8XX,
# personal and other non-geographic 5XX numbers) can cost us money per text or reach a
# service instead of a consumer: the intake does not text them.
_PERSONAL_TYPES = frozenset(
    {PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
_TYPE_WORDS = {
    PhoneNumberType.PREMIUM_RATE: "a premium-rate number",
    PhoneNumberType.TOLL_FREE: "a toll-free number",
    PhoneNumberType.SHARED_COST: "a shared-cost number",
    PhoneNumberType.PERSONAL_NUMBER: "a non-geographic (personal) number",
    PhoneNumberType.UAN: "a non-geographic number",
    PhoneNumberType.VOIP: "an internet (VoIP) service number",
    PhoneNumberType.PAGER: "a pager number",
    PhoneNumberType.VOICEMAIL: "a voicemail access number",
}


class PhoneNotAllowed(ValueError):
    """A real phone number that the consumer intake does not accept (see consumer_phone)."""


def normalize_phone(value: str) -> str:
    return phonenumbers.format_number(_valid_number(value), phonenumbers.PhoneNumberFormat.E164)


def _valid_number(value: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(value or "", "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"'{value}' is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"'{value}' is not a valid phone number")
    return number


def consumer_phone(value: str, *, extra_countries: Collection[str] = ()) -> str:
    """A consumer's number in E.164, if we may text it: a landline or mobile number of the
    United States or its territories, or of a country in `extra_countries` (ISO codes).

    Raises ValueError for what is not a phone number, PhoneNotAllowed for the rest.
    """
    # One parse (the intake's dearest check): the number as parsed is the number its E.164
    # form would parse back to.
    number = _valid_number(value)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number) or ""
    allowed = US_REGIONS | {c.strip().upper() for c in extra_countries}
    if region not in allowed:
        raise PhoneNotAllowed(
            f"The phone number {e164} is not a US number: enter a phone number of the "
            "United States or its territories."
        )
    kind = phonenumbers.number_type(number)
    if kind not in _PERSONAL_TYPES:
        what = _TYPE_WORDS.get(kind, "not a landline or mobile number")
        raise PhoneNotAllowed(
            f"The phone number {e164} is {what}: enter a mobile or landline number."
        )
    return e164


def display_phone(e164: str) -> str:
    number = phonenumbers.parse(e164, "US")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
