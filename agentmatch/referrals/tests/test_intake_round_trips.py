"""The intake's hot path stays short: a POST that is offered at once takes a fixed, small
number of statements (each one a round trip to the database under load), the refusals
keep their order now that they share statements, and the tidying of old counters and
expired keys runs now and then instead of with every request."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agentmatch.api.tests.helpers import REQUEST, post_referral
from agentmatch.referrals.actions import requests
from agentmatch.referrals.actions.requests import (
    API,
    AlreadyOpen,
    submit_request,
)
from agentmatch.referrals.limits import (
    ADDRESS,
    PHONE,
    RateLimited,
    address_limit,
    phone_limit,
    take,
)
from agentmatch.referrals.models import IntakeCounter
from agentmatch.referrals.tests.helpers import request_fields
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

# Statements, BEGIN and COMMIT included, for an intake offered at once (docs/benchmarks.md,
# "Intake over HTTP, profiled"). PostgreSQL: the phone's count, the open request and the
# address's limit read together, the referral with its event, the routing's three (nearest,
# qualified count, claim and offer), the outbox's messages, the address's count. SQLite
# writes the referral, the offer and their events one statement each.
MOST_STATEMENTS = {"postgresql": 10, "sqlite": 15}
ADDRESS_OF_CLIENT = "203.0.113.7"


@pytest.fixture
def agent(plan_year):
    return make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])


def submit(phone: str, now=None):  # type: ignore[no-untyped-def]
    return submit_request(
        fields=request_fields(phone),
        channel=API,
        client_address=ADDRESS_OF_CLIENT,
        now=now or timezone.now(),
    )


@pytest.mark.django_db(transaction=True)  # as in production: the plan-year cache, no savepoint
def test_an_intake_offered_at_once_takes_a_fixed_number_of_statements(client, agent):
    make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])
    # The first request fills the plan-year cache and does the tidying of its minute.
    assert post_referral(client, {**REQUEST, "phone": "(608) 555-0101"}).status_code == 201
    with CaptureQueriesContext(connection) as statements:
        response = post_referral(client, REQUEST)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "offered"
    assert len(statements) <= MOST_STATEMENTS[connection.vendor], "\n".join(
        q["sql"][:120] for q in statements.captured_queries
    )


def test_an_open_request_is_named_before_any_spent_limit(agent, settings):
    settings.CONSUMER_REQUESTS_PER_PHONE = 1
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 1
    first = submit("608-555-0101")
    with pytest.raises(AlreadyOpen) as refused:
        submit("608-555-0101")
    assert refused.value.referral.pk == first.referral.pk


def test_a_spent_address_limit_is_named_before_a_spent_phone_limit(agent, settings):
    settings.CONSUMER_REQUESTS_PER_PHONE = 1
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 1
    now = timezone.now()
    assert take(limit=address_limit(), value=ADDRESS_OF_CLIENT, now=now)
    assert take(limit=phone_limit(), value="+16085550101", now=now)
    with pytest.raises(RateLimited) as refused:
        submit("608-555-0101", now)
    assert refused.value.kind == ADDRESS
    assert IntakeCounter.objects.get(kind=PHONE).count == 1


def test_a_spent_phone_limit_refuses_and_counts_nothing(agent, settings):
    settings.CONSUMER_REQUESTS_PER_PHONE = 1
    now = timezone.now()
    assert take(limit=phone_limit(), value="+16085550101", now=now)
    with pytest.raises(RateLimited) as refused:
        submit("608-555-0101", now)
    assert refused.value.kind == PHONE and refused.value.retry_after > 0
    assert not IntakeCounter.objects.filter(kind=ADDRESS).exists()


def test_old_counters_are_tidied_at_most_once_a_minute_per_process(agent, monkeypatch):
    monkeypatch.setattr(requests, "_last_tidy_up", None)
    now = timezone.now()
    old = now - timedelta(hours=3)

    def old_counter(key: str) -> None:
        IntakeCounter.objects.create(kind=PHONE, key=key, window_start=old, count=1)

    old_counter("a")
    submit("608-555-0101", now)
    assert not IntakeCounter.objects.filter(key="a").exists()
    old_counter("b")
    submit("608-555-0102", now + timedelta(seconds=30))
    assert IntakeCounter.objects.filter(key="b").exists()
    submit("608-555-0103", now + timedelta(seconds=61))
    assert not IntakeCounter.objects.filter(key="b").exists()
