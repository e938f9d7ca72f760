"""The agent app's login (POST /api/v1/auth/token): a token per device, an audit row, and
a 422 naming the field for input no username or device name can hold (issue 9, finding 5)."""

import pytest
from django.test import Client

from agentmatch.accounts.models import AccountEvent, AccountEventKind, DeviceToken
from agentmatch.testing import AGENT_PASSWORD, make_agent_user, make_operator

pytestmark = pytest.mark.django_db


def token_login(**payload: str):  # type: ignore[no-untyped-def]
    return Client().post("/api/v1/auth/token", payload, content_type="application/json")


def test_an_agent_gets_a_token_for_the_device_and_the_login_is_recorded(plan_year) -> None:
    user = make_agent_user(username="pat.agent")
    response = token_login(username="pat.agent", password=AGENT_PASSWORD, device_name="Pixel")
    assert response.status_code == 201
    assert response.json()["expires_in_days"] == 90
    assert DeviceToken.objects.get().name == "Pixel"
    event = AccountEvent.objects.get()
    assert (event.user, event.kind, event.detail) == (user, AccountEventKind.DEVICE_LOGIN, "Pixel")


def test_an_operator_account_gets_no_device_token(plan_year) -> None:
    make_operator(username="olivia.operator")
    response = token_login(username="olivia.operator", password=AGENT_PASSWORD)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_credentials"
    assert not DeviceToken.objects.exists()


@pytest.mark.parametrize("field", ["username", "device_name"])
def test_a_nul_character_is_refused_naming_the_field(plan_year, field: str) -> None:
    make_agent_user(username="pat.agent")
    payload = {"username": "pat.agent", "password": AGENT_PASSWORD, "device_name": "Pixel"}
    payload[field] += "\x00"
    response = token_login(**payload)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert not DeviceToken.objects.exists()
