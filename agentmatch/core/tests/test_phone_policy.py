"""Consumers' phones: US landline and mobile numbers (territories too), nothing that costs
money per text or reaches a service, other countries only when configured."""

import pytest

from agentmatch.core.phones import PhoneNotAllowed, consumer_phone


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("608-555-0123", "+16085550123"),
        ("(787) 555-1234", "+17875551234"),  # Puerto Rico
        ("+1 671 555 1234", "+16715551234"),  # Guam
        ("340-555-1234", "+13405551234"),  # U.S. Virgin Islands
        ("670-555-1234", "+16705551234"),  # Northern Mariana Islands
    ],
)
def test_us_and_territory_numbers_are_accepted(text, e164):
    assert consumer_phone(text) == e164


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("+1 900 555 1234", "premium-rate"),
        ("800-555-1234", "toll-free"),
        ("888-555-1234", "toll-free"),
        ("500-555-1234", "non-geographic"),
        ("533-555-1234", "non-geographic"),
        ("+44 20 7946 0000", "not a US number"),
        ("+52 55 1234 5678", "not a US number"),
    ],
)
def test_premium_rate_toll_free_non_geographic_and_foreign_numbers_are_refused(text, words):
    with pytest.raises(PhoneNotAllowed, match=words) as refused:
        consumer_phone(text)
    assert "phone number" in str(refused.value)


def test_a_configured_country_is_accepted_but_never_its_premium_numbers():
    assert consumer_phone("+44 20 7946 0000", extra_countries=["gb"]) == "+442079460000"
    with pytest.raises(PhoneNotAllowed, match="premium-rate"):
        consumer_phone("+44 909 879 0000", extra_countries=["GB"])


def test_what_is_no_phone_number_stays_a_plain_value_error():
    with pytest.raises(ValueError, match="not a valid phone number") as error:
        consumer_phone("555-12")
    assert not isinstance(error.value, PhoneNotAllowed)
