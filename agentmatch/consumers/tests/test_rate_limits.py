"""The form's abuse protection: requests per client address and per phone, counted in the
database (the API counts in the same rows), 429 with Retry-After and a friendly page."""

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.consumers.tests.helpers import submit
from agentmatch.referrals.models import IntakeCounter, Referral
from agentmatch.testing import make_agent


@pytest.fixture
def agent(plan_year):
    return make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])


def _cancel_all() -> None:
    # The same phone may ask again once its request ended.
    Referral.objects.update(status="canceled", ended_at=timezone.now())


@pytest.mark.django_db
def test_the_phone_limit_stops_the_fourth_request_in_the_hour(client, agent, settings):
    settings.CONSUMER_REQUESTS_PER_PHONE = 3
    for _ in range(3):
        assert submit(client).status_code == 302
        _cancel_all()
    response = submit(client)
    assert response.status_code == 429
    assert "several requests for this phone number" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert Referral.objects.count() == 3
    # Another phone from the same address is still welcome.
    assert submit(client, phone="608-555-0142").status_code == 302


@pytest.mark.django_db
def test_the_address_limit_counts_every_phone_from_one_address(agent, settings):
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert submit(client, phone="608-555-0141").status_code == 302
    assert submit(client, phone="608-555-0142").status_code == 302
    response = submit(client, phone="608-555-0143")
    assert response.status_code == 429
    assert "from this connection" in response.content.decode()
    # A refused request counted nowhere: that phone may still ask from elsewhere.
    assert submit(Client(REMOTE_ADDR="198.51.100.7"), phone="608-555-0143").status_code == 302


@pytest.mark.django_db
def test_the_limit_message_is_in_spanish_on_the_spanish_page(agent, settings):
    settings.CONSUMER_REQUESTS_PER_PHONE = 0
    page = submit(Client(), language="es").content.decode()
    assert "Recibimos varias solicitudes" in page


@pytest.mark.django_db
def test_a_form_with_errors_does_not_count(client, agent, settings):
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 1
    for _ in range(5):
        assert submit(client, zip="99999").status_code == 200
    assert submit(client).status_code == 302


@pytest.mark.django_db
def test_no_phone_numbers_are_stored_in_the_counters(client, agent):
    submit(client)
    keys = list(IntakeCounter.objects.values_list("key", flat=True))
    # Keys are HMAC digests: no form of the number (a short piece such as "608" can turn
    # up in any hex digest by chance, so look for the whole number).
    assert len(keys) == 2
    assert not any(form in k for k in keys for form in ("6085550199", "608-555-0199"))
