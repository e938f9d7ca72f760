"""The limit shared by everyone at one address (or one partner key) is counted last in the
intake's transaction: a busy address does not queue its requests behind each other's
routing, an address already over its limit is refused before any routing, and a request
that loses the last place while routing rolls back whole."""

import threading

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from agentmatch.referrals.actions import requests
from agentmatch.referrals.actions.requests import WEB, submit_request
from agentmatch.referrals.limits import ADDRESS, PHONE, RateLimited
from agentmatch.referrals.models import IntakeCounter, Referral
from agentmatch.referrals.tests.helpers import request_fields
from agentmatch.testing import make_agent

ADDRESS_SHARED_BY_MANY = "203.0.113.50"


def submit(phone: str):  # type: ignore[no-untyped-def]
    return submit_request(
        fields=request_fields(phone),
        channel=WEB,
        client_address=ADDRESS_SHARED_BY_MANY,
        now=timezone.now(),
    )


@pytest.fixture
def agents(plan_year):
    return [make_agent(zip_code="53711", licensed=["WI"]) for _ in range(2)]


@pytest.mark.django_db(transaction=True)
def test_a_request_from_a_busy_address_does_not_wait_for_another_ones_routing(agents, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite lets one transaction write at a time: nothing to overlap")
    routing = threading.Event()
    release = threading.Event()
    real_create = requests.create_referral

    def slow_first_routing(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["request"].phone == "+16085550101":
            routing.set()
            assert release.wait(20)
        return real_create(**kwargs)

    monkeypatch.setattr(requests, "create_referral", slow_first_routing)
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            outcome["first"] = submit("608-555-0101")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert routing.wait(20)
        # The first request is in the middle of its routing, inside its transaction.
        second = submit("608-555-0102")
        assert second.referral.phone == "+16085550102"
    finally:
        release.set()
        thread.join(20)
    assert outcome["first"].referral.phone == "+16085550101"  # type: ignore[attr-defined]
    counter = IntakeCounter.objects.get(kind=ADDRESS)
    assert counter.count == 2


@pytest.mark.django_db
def test_an_address_over_its_limit_is_refused_before_any_routing(agents, settings, monkeypatch):
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 1
    submit("608-555-0101")

    def must_not_route(**kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("routed a request that was over its address's limit")

    monkeypatch.setattr(requests, "create_referral", must_not_route)
    with pytest.raises(RateLimited) as refused:
        submit("608-555-0102")
    assert refused.value.kind == ADDRESS
    assert not IntakeCounter.objects.filter(kind=PHONE, count__gt=1).exists()


@pytest.mark.django_db
def test_a_request_that_loses_the_last_place_while_routing_leaves_nothing_behind(
    agents, settings, monkeypatch
):
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 2
    submit("608-555-0101")
    real_create = requests.create_referral

    def another_request_takes_the_last_place(**kwargs):  # type: ignore[no-untyped-def]
        made = real_create(**kwargs)
        IntakeCounter.objects.filter(kind=ADDRESS).update(count=F("count") + 1)
        return made

    monkeypatch.setattr(requests, "create_referral", another_request_takes_the_last_place)
    with pytest.raises(RateLimited):
        submit("608-555-0102")
    # Rolled back: no referral, no offer, and the phone's count was not taken either.
    assert list(Referral.objects.values_list("phone", flat=True)) == ["+16085550101"]
    assert IntakeCounter.objects.filter(kind=PHONE).count() == 1
    assert IntakeCounter.objects.get(kind=ADDRESS).count == 1
