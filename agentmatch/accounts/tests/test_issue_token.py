"""`issue_token NPN`: a token printed once that opens the agent API."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.models import DeviceToken
from agentmatch.testing import make_agent, make_agent_user, make_referral

pytestmark = pytest.mark.django_db


def issue(*args: str) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue()


def token_in(output: str) -> str:
    match = re.search(r"Authorization: Bearer (\S+)'", output)
    assert match, output
    return match.group(1)


def test_the_printed_token_lists_the_agents_offers_through_the_api(plan_year):
    agent = make_agent_user(zip_code="53703", licensed=["WI"], npn="0098765").agent
    referral = make_referral(zip_code="53703")
    output = issue("98765")  # leading zeros optional
    token = token_in(output)
    assert f"\n{token}\n" in output  # shown on its own line, ready to copy

    response = Client().get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    offers = response.json()
    assert [o["zip"] for o in offers] == [referral.zip_code]
    assert DeviceToken.objects.filter(user__agent=agent).count() == 1


def test_only_the_hash_is_stored(plan_year):
    make_agent_user(zip_code="53703", npn="555")
    token = token_in(issue("555"))
    assert not DeviceToken.objects.filter(token_hash=token).exists()


def test_days_sets_the_expiry(plan_year):
    agent = make_agent_user(zip_code="53703", npn="555").agent
    issue("555", "--days", "7")
    expires = DeviceToken.objects.get(user__agent=agent).expires_at
    assert abs(expires - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_a_wrong_token_is_refused(plan_year):
    make_agent_user(zip_code="53703", npn="555")
    issue("555")
    response = Client().get("/api/v1/agent/offers", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["404"], "No agent with NPN 404"),
        (["x1"], "'x1' is not an NPN"),
        (["555", "--days", "0"], "--days must be 1 to 366"),
        (["777"], "NPN 777 has no account yet"),
    ],
)
def test_bad_input_is_a_clear_error_and_issues_nothing(plan_year, args, message):
    make_agent_user(zip_code="53703", npn="555")
    make_agent(zip_code="53703", npn="777")
    with pytest.raises(CommandError, match=message):
        issue(*args)
    assert not DeviceToken.objects.exists()
