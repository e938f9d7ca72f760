"""Abuse protection: requests per client address and per phone, counted in the database."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.utils import timezone

from agentmatch.consumers.limits import (
    Limit,
    address_key,
    forget_old_counters,
    take,
)
from agentmatch.consumers.models import IntakeCounter
from agentmatch.consumers.tests.helpers import submit
from agentmatch.referrals.models import Referral
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
    assert len(keys) == 2 and not any("608" in k for k in keys)


@pytest.mark.django_db
def test_windows_end_and_old_counters_go():
    limit = Limit("phone", 1, 3600)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        assert take(limit=limit, value="+16085550199", now=start)
        assert not take(limit=limit, value="+16085550199", now=start + timedelta(minutes=59))
        assert take(limit=limit, value="+16085550199", now=start + timedelta(minutes=60))
    assert forget_old_counters(now=start + timedelta(hours=1, minutes=59)) == 1
    assert IntakeCounter.objects.count() == 1


def test_ipv6_clients_are_counted_per_64_block():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::2")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("203.0.113.9") == "203.0.113.9"


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_when_requests_arrive_at_the_same_moment():
    """Eight processes' worth of simultaneous requests for one phone: exactly the limit pass."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
        pytest.skip("needs a database shared between threads")
    limit = Limit("phone", 3, 3600)
    now = timezone.now()
    start = threading.Barrier(8)
    results: list[bool] = []
    errors: list[BaseException] = []

    def one_request() -> None:
        try:
            start.wait(timeout=10)
            with transaction.atomic():
                results.append(take(limit=limit, value="+16085550199", now=now))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=one_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(results) == [False] * 5 + [True] * 3
    assert IntakeCounter.objects.get().count == 3
