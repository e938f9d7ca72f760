"""Partner API keys: made with a command and shown once, stored hashed, each with its own
hourly limit in place of the per-address one, revocable, recorded on the referral."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from agentmatch.api.tests.helpers import REQUEST, post_referral
from agentmatch.partners.keys import create_partner_key
from agentmatch.partners.models import PartnerKey
from agentmatch.referrals.models import Referral
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

GOOD = REQUEST


def post(client: Client, body: dict, key: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"HTTP_X_PARTNER_KEY": key} if key is not None else {}
    return post_referral(client, body, **headers)


def command(*args: str) -> str:
    out = StringIO()
    call_command("partner_key", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def agent(plan_year):
    return make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])


def test_the_command_prints_a_new_key_once_and_keeps_only_its_hash(db):
    printed = command("create", "Navigator Network", "--per-hour", "50")
    partner = PartnerKey.objects.get()
    key = next(line for line in printed.splitlines() if line.startswith("amp_"))
    assert len(key) > 50 and key.startswith(f"amp_{partner.prefix}_")
    assert partner.requests_per_hour == 50 and partner.name == "Navigator Network"
    assert key not in str(PartnerKey.objects.values().get())
    listed = command("list")
    assert partner.prefix in listed and "50/hour" in listed and "active" in listed
    assert key not in listed
    assert "Revoked" in command("revoke", partner.prefix)
    assert "revoked" in command("list")


def test_the_command_refuses_what_it_cannot_do(db):
    with pytest.raises(CommandError, match="No partner key"):
        command("revoke", "nope")
    with pytest.raises(CommandError, match="per hour"):
        command("create", "X", "--per-hour", "0")


def test_a_referral_records_the_partner_key_that_sent_it(client, agent):
    partner, key = create_partner_key(name="Navigator", requests_per_hour=10, now=timezone.now())
    assert post(client, GOOD, key).status_code == 201
    assert Referral.objects.get().partner_key == partner
    assert post(client, {**GOOD, "phone": "608-555-0142"}).status_code == 201
    assert Referral.objects.get(phone="+16085550142").partner_key is None


def test_a_partner_key_has_its_own_hourly_limit_instead_of_the_address_one(client, agent, settings):
    settings.CONSUMER_REQUESTS_PER_ADDRESS = 2
    _partner, key = create_partner_key(name="Navigator", requests_per_hour=4, now=timezone.now())
    answers = [post(client, {**GOOD, "phone": f"608-555-{100 + i:04d}"}, key) for i in range(5)]
    assert [a.status_code for a in answers] == [201, 201, 201, 201, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "partner key" in refused.json()["error"]["message"]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    # Another partner's key, from the same address, has its own count.
    _other, other_key = create_partner_key(name="Clinic", requests_per_hour=4, now=timezone.now())
    assert post(client, {**GOOD, "phone": "608-555-0300"}, other_key).status_code == 201


@pytest.mark.parametrize("key", ["amp_nope_nope", "not a key", ""])
def test_an_unknown_key_is_a_json_401(client, agent, key):
    response = post(client, GOOD, key)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_partner_key"
    assert not Referral.objects.exists()


def test_a_revoked_key_stops_working_at_once(client, agent):
    partner, key = create_partner_key(name="Navigator", requests_per_hour=10, now=timezone.now())
    assert post(client, GOOD, key).status_code == 201
    command("revoke", partner.prefix)
    response = post(client, {**GOOD, "phone": "608-555-0142"}, key)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_partner_key"
    # A key with the right prefix and a wrong secret is refused the same way.
    forged = key[: key.rindex("_") + 1] + "x" * 43
    assert post(client, GOOD, forged).status_code == 401
