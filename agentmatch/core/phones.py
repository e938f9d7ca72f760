"""Phone numbers, normalised to E.164 with `phonenumbers` (US numbers by default)."""

import phonenumbers


def normalize_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value or "", "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"'{value}' is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"'{value}' is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    number = phonenumbers.parse(e164, "US")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
