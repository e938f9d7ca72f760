"""Normalising what files and forms send: NPNs, phones, languages, states, exchanges."""

import pytest

from agentmatch.core.exchanges import exchange_name
from agentmatch.core.languages import normalize_language
from agentmatch.core.npn import normalize_npn, npn_key
from agentmatch.core.phones import display_phone, normalize_phone
from agentmatch.core.states import STATE_NAMES, normalize_state


@pytest.mark.parametrize(
    ("text", "npn", "key"),
    [
        ("0012345", "0012345", "12345"),
        (" 12345 ", "12345", "12345"),
        ("1", "1", "1"),
        ("0", "0", "0"),
        ("0000", "0000", "0"),
        ("1234567890", "1234567890", "1234567890"),
    ],
)
def test_npn_keeps_leading_zeros_and_its_key_drops_them(text, npn, key):
    assert normalize_npn(text) == npn
    assert npn_key(normalize_npn(text)) == key


@pytest.mark.parametrize("text", ["", "  ", "12 345", "12-345", "ABC", "12345678901", None])
def test_bad_npn_is_named(text):
    with pytest.raises(ValueError, match="is not an NPN"):
        normalize_npn(text)


@pytest.mark.parametrize(
    "text", ["608-555-0123", "(608) 555-0123", "6085550123", "+1 608 555 0123", "1-608-555-0123"]
)
def test_us_phone_numbers_become_e164(text):
    assert normalize_phone(text) == "+16085550123"


def test_e164_phone_is_displayed_in_national_form():
    assert display_phone("+16085550123") == "(608) 555-0123"


@pytest.mark.parametrize("text", ["", "555-12", "not a phone", "000-000-0000", None])
def test_bad_phone_is_named(text):
    with pytest.raises(ValueError, match="phone number"):
        normalize_phone(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("es", "es"),
        (" ES ", "es"),
        ("Spanish", "es"),
        ("español", "es"),
        ("Espanol", "es"),
        ("Mandarin", "zh"),
        ("Haitian Creole", "ht"),
        ("hmn", "hmn"),
        ("Farsi", "fa"),
    ],
)
def test_language_names_and_codes_become_iso_codes(text, code):
    assert normalize_language(text) == code


@pytest.mark.parametrize("text", ["", "xx", "Klingon", "spa", None])
def test_unknown_language_is_named(text):
    with pytest.raises(ValueError, match="is not a known language"):
        normalize_language(text)


@pytest.mark.parametrize(("text", "code"), [("wi", "WI"), (" WI ", "WI"), ("pr", "PR")])
def test_state_codes_are_upper_case(text, code):
    assert normalize_state(text) == code


@pytest.mark.parametrize("text", ["", "Wisconsin", "XX", "W", None])
def test_bad_state_is_named(text):
    with pytest.raises(ValueError, match="is not a US state code"):
        normalize_state(text)


def test_every_state_and_dc_is_known():
    assert len([code for code in STATE_NAMES if code not in {"PR", "GU", "VI", "AS", "MP"}]) == 51


def test_state_exchange_names_point_consumers_elsewhere():
    assert exchange_name("CA") == "Covered California"
    assert exchange_name("WI") == "its own health insurance exchange"
