"""POST /api/v1/referrals is protected like the web form: limits per address and per
phone with 429 and Retry-After, one open request per phone, US numbers only."""

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.api.tests.helpers import REQUEST, post_referral
from agentmatch.notifications.models import Message
from agentmatch.referrals.models import Referral
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

GOOD = REQUEST


post = post_referral


@pytest.fixture
def agent(plan_year):
    return make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])


def test_the_21st_request_from_one_address_gets_429_with_retry_after(agent):
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [post(client, {**GOOD, "phone": f"608-555-{100 + i:04d}"}) for i in range(25)]
    assert [a.status_code for a in answers[:20]] == [201] * 20
    for refused in answers[20:]:
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 3600
        assert refused.json()["error"]["code"] == "rate_limited"
        assert refused.json()["error"]["field"] is None
    assert Referral.objects.count() == 20
    # Another address is still welcome.
    other = post(Client(REMOTE_ADDR="198.51.100.7"), {**GOOD, "phone": "608-555-0300"})
    assert other.status_code == 201


def test_the_address_is_the_one_our_proxy_saw(agent, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    first = post(proxy, GOOD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert first.status_code == 201
    again = post(proxy, {**GOOD, "phone": "608-555-0142"}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert again.status_code == 429
    other = post(proxy, {**GOOD, "phone": "608-555-0142"}, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 201


def test_one_phone_six_times_makes_one_open_referral_and_one_received_text(client, agent):
    answers = [post(client, GOOD) for _ in range(6)]
    assert answers[0].status_code == 201
    for again in answers[1:]:
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "already_open"
        assert again.json()["error"]["field"] == "phone"
    assert Referral.objects.count() == 1
    received = Message.objects.filter(kind="consumer_received", channel="sms")
    assert received.count() == 1


def test_the_phone_limit_counts_api_requests_like_the_form(client, agent, settings):
    settings.CONSUMER_REQUESTS_PER_PHONE = 3
    for _ in range(3):
        assert post(client, GOOD).status_code == 201
        Referral.objects.update(status="canceled", ended_at=timezone.now())
    refused = post(client, GOOD)
    assert refused.status_code == 429
    assert refused.json()["error"] == {
        "field": "phone",
        "code": "rate_limited",
        "message": refused.json()["error"]["message"],
    }
    assert "phone number" in refused.json()["error"]["message"]
    assert int(refused["Retry-After"]) >= 1
    # The web form shares the counter: it is full there too.
    form = Client().post(
        "/", {**GOOD, "consent": "yes", "website": "", "email": "", "language": "es"}
    )
    assert form.status_code == 429
    assert int(form["Retry-After"]) >= 1


@pytest.mark.parametrize(
    "phone", ["+1 900 555 1234", "+44 20 7946 0000", "800-555-1234", "+1 500 555 1234"]
)
def test_premium_rate_toll_free_and_foreign_numbers_are_refused_naming_the_phone(
    client, agent, phone
):
    response = post(client, {**GOOD, "phone": phone})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "phone"
    assert error["code"] == "phone_not_allowed"
    assert "phone number" in error["message"]
    assert not Referral.objects.exists()
    assert not Message.objects.exists()


def test_a_puerto_rico_number_is_accepted(client, agent):
    response = post(client, {**GOOD, "phone": "787-555-1234"})
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.phone == "+17875551234"
    assert referral.consent_channel == "api" and referral.partner_key is None


def test_other_countries_are_accepted_when_configured(client, agent, settings):
    settings.CONSUMER_PHONE_EXTRA_COUNTRIES = ["GB"]
    assert post(client, {**GOOD, "phone": "+44 20 7946 0000"}).status_code == 201


def test_the_limits_and_their_answers_are_documented(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/referrals"]["post"]
    assert {"201", "401", "409", "422", "429", "503"} <= set(operation["responses"])
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"Idempotency-Key", "X-Partner-Key"}
