"""Idempotency-Key on POST /api/v1/referrals: a retry gets the first answer, never a second
referral or a second text; the same key for another request is refused."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.api.tests.helpers import REQUEST, post_referral
from agentmatch.notifications.models import Message
from agentmatch.partners.keys import create_partner_key
from agentmatch.referrals.models import IdempotencyKey, Referral
from agentmatch.testing import at_the_same_moment, make_agent

GOOD = REQUEST
KEY = "5f0c1d2e-9a7b-4c3d-8e6f-0a1b2c3d4e5f"


def post(client: Client, body: dict, key: str | None = KEY, **headers: str):  # type: ignore[no-untyped-def]
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return post_referral(client, body, **headers)


@pytest.fixture
def agent(plan_year):
    return make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])


@pytest.mark.django_db
def test_a_retry_with_the_same_key_gets_the_first_answer_and_nothing_new(client, agent):
    first = post(client, GOOD)
    again = post(client, GOOD)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Referral.objects.count() == 1
    assert Message.objects.filter(kind="consumer_received", channel="sms").count() == 1
    # The token it repeats is the real one.
    status = client.get(
        f"/api/v1/referrals/{first.json()['id']}", HTTP_X_STATUS_TOKEN=again.json()["status_token"]
    )
    assert status.status_code == 200


@pytest.mark.django_db
def test_the_same_key_for_another_request_is_refused(client, agent):
    assert post(client, GOOD).status_code == 201
    other = post(client, {**GOOD, "first_name": "Beto", "phone": "608-555-0142"})
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert other.json()["error"]["field"] == "idempotency_key"
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_neither_the_key_the_request_nor_the_token_is_stored(client, agent):
    body = post(client, GOOD).json()
    row = IdempotencyKey.objects.get()
    stored = " ".join(str(v) for v in IdempotencyKey.objects.values().get().values())
    assert KEY not in stored and body["status_token"] not in stored and "5550199" not in stored
    assert row.expires_at - row.created_at == timedelta(hours=24)


@pytest.mark.django_db
def test_a_key_is_forgotten_after_24_hours(client, agent):
    first = post(client, GOOD).json()
    Referral.objects.update(status="canceled", ended_at=timezone.now())
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = post(client, GOOD)
    assert again.status_code == 201
    assert again.json()["id"] != first["id"]
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_request_is_not_remembered(client, agent):
    assert post(client, {**GOOD, "zip": "00000"}).status_code == 422
    assert post(client, GOOD).status_code == 201


@pytest.mark.django_db
def test_partners_do_not_share_keys_with_the_public(client, agent):
    _partner, secret = create_partner_key(
        name="Navigator", requests_per_hour=10, now=timezone.now()
    )
    assert post(client, GOOD).status_code == 201
    mine = post(client, {**GOOD, "phone": "608-555-0142"}, HTTP_X_PARTNER_KEY=secret)
    assert mine.status_code == 201
    assert Referral.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "naïve-key"])
def test_a_malformed_key_is_refused_naming_it(client, agent, key):
    response = post(client, GOOD, key=key)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "idempotency_key"
    assert not Referral.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_with_one_key_make_one_referral(agent):
    answers = at_the_same_moment(6, lambda _i: post(Client(), GOOD))
    assert {answer.status_code for answer in answers} == {201}, answers
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Referral.objects.count() == 1
