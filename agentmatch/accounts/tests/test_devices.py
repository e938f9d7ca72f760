"""The agent app logs in per device; the profile lists devices and signs them out."""

import pytest
from django.conf import settings
from django.test import Client

from agentmatch.accounts.models import DeviceToken
from agentmatch.testing import AGENT_PASSWORD, make_agent_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat(plan_year):  # type: ignore[no-untyped-def]
    return make_agent_user(username="pat.agent", licensed=["WI"])


def app_login(client: Client, password: str = AGENT_PASSWORD, device: str = "Pat's iPhone"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/auth/token",
        {"username": "pat.agent", "password": password, "device_name": device},
        content_type="application/json",
    )


def test_the_app_gets_a_token_that_works_for_the_agent_api(pat, client: Client) -> None:
    response = app_login(client)
    assert response.status_code == 201
    token = response.json()["token"]
    offers = client.get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert offers.status_code == 200
    assert DeviceToken.objects.get().token_hash != token


def test_a_wrong_password_gets_no_token(pat, client: Client) -> None:
    response = app_login(client, password="Wrong#Pass1")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_credentials"
    assert not DeviceToken.objects.exists()


def test_guessing_through_the_app_locks_the_account_too(pat, client: Client) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        app_login(client, password="Wrong#Pass1")
    response = app_login(client)
    assert response.status_code == 429
    assert not DeviceToken.objects.exists()


def test_the_profile_lists_devices_and_signs_one_out(pat, client: Client) -> None:
    phone = app_login(client, device="Pat's iPhone").json()["token"]
    tablet = app_login(client, device="Pat's tablet").json()["token"]
    client.force_login(pat)
    page = client.get("/accounts/profile/").content.decode()
    assert "Pat&#x27;s iPhone" in page and "Pat&#x27;s tablet" in page
    row = DeviceToken.objects.get(name="Pat's iPhone")
    client.post(f"/accounts/profile/devices/{row.pk}/revoke/")
    bearer = Client()
    assert (
        bearer.get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {phone}").status_code == 401
    )
    assert (
        bearer.get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {tablet}").status_code == 200
    )


def test_an_agent_cannot_sign_out_another_agents_device(pat, client: Client) -> None:
    app_login(client)
    other = make_agent_user(username="other.agent", licensed=["WI"])
    client.force_login(other)
    row = DeviceToken.objects.get()
    client.post(f"/accounts/profile/devices/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is None


def test_a_deactivated_account_token_stops_working(pat, client: Client) -> None:
    token = app_login(client).json()["token"]
    pat.is_active = False
    pat.save()
    assert (
        client.get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    )
