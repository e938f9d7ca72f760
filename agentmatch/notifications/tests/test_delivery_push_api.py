"""The agent app subscribes its browser to app notifications, and can stop them."""

import pytest
from django.test import Client

from agentmatch.notifications.models import PushSubscription
from agentmatch.notifications.tests.stubs import BrowserKeys
from agentmatch.testing import api_token_for, make_agent

pytestmark = pytest.mark.django_db

URL = "/api/v1/agent/push-subscriptions"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123"


def subscription_json(endpoint: str = ENDPOINT, **keys: str) -> dict:
    browser = BrowserKeys()
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth, **keys},
    }


@pytest.fixture
def auth(plan_year) -> dict[str, str]:
    agent = make_agent(zip_code="53703", licensed=["WI"])
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_for(agent)}"}


def post(client: Client, body: dict, auth: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(URL, body, content_type="application/json", **auth)


def test_an_agent_subscribes_a_browser_and_removes_it(client: Client, auth) -> None:
    response = post(client, subscription_json(), auth)
    assert response.status_code == 201, response.content
    subscription = PushSubscription.objects.get()
    assert response.json() == {"id": subscription.pk, "endpoint": ENDPOINT}
    # The browser sends the same subscription again on every start: still one row.
    assert post(client, subscription_json(), auth).status_code == 201
    assert PushSubscription.objects.count() == 1
    response = client.delete(URL, {"endpoint": ENDPOINT}, content_type="application/json", **auth)
    assert response.status_code == 204
    assert not PushSubscription.objects.exists()
    response = client.delete(URL, {"endpoint": ENDPOINT}, content_type="application/json", **auth)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (subscription_json("https://evil.example.com/push"), "endpoint"),
        (subscription_json("http://fcm.googleapis.com/fcm/send/x"), "endpoint"),
        (subscription_json("http://127.0.0.1:9/internal"), "endpoint"),
        (subscription_json(p256dh="AAAA"), "keys.p256dh"),
        (subscription_json(p256dh="not base64!*"), "keys.p256dh"),
        (subscription_json(auth="c2hvcnQ"), "keys.auth"),
        ({"endpoint": ENDPOINT}, "keys"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(
    client: Client, auth, body: dict, field: str
) -> None:
    response = post(client, body, auth)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert not PushSubscription.objects.exists()


def test_subscribing_needs_an_agent_token(client: Client, plan_year) -> None:
    response = post(client, subscription_json(), {"HTTP_AUTHORIZATION": "Bearer nope"})
    assert response.status_code == 401


def test_the_vapid_public_key_is_published_once_configured(client: Client, settings) -> None:
    settings.VAPID_PUBLIC_KEY = ""
    assert client.get("/api/v1/push/vapid-public-key").status_code == 503
    settings.VAPID_PUBLIC_KEY = "BPublicKey"
    response = client.get("/api/v1/push/vapid-public-key")
    assert response.status_code == 200
    assert response.json() == {"public_key": "BPublicKey"}
