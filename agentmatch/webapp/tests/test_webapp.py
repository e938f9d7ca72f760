"""The installable app: manifest, service worker, offline page, Web Push subscription."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.staticfiles import finders
from django.test import Client

from agentmatch.notifications.models import PushSubscription
from agentmatch.testing import make_agent_user, make_operator

pytestmark = pytest.mark.django_db


def test_the_manifest_makes_the_site_installable(client: Client) -> None:
    response = client.get("/app/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/workspace/" and data["display"] == "standalone"
    assert data["scope"] == "/" and data["theme_color"].startswith("#")
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with open(path, "rb") as f:
            head = f.read(24)
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(head[16:20], "big")
        assert f"{width}x{width}" == icon["sizes"]


def test_the_manifest_speaks_spanish(client: Client) -> None:
    response = client.get("/app/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="es")
    data = json.loads(response.content)
    assert data["lang"] == "es" and "seguro" in data["description"]


def test_the_service_worker_may_control_the_whole_site(client: Client) -> None:
    response = client.get("/app/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert '"/app/offline/"' in body and "&quot;" not in body
    assert "showNotification" in body and "openWindow" in body


def test_the_offline_page_needs_no_script(client: Client) -> None:
    response = client.get("/app/offline/")
    html = response.content.decode()
    assert response.status_code == 200 and "<script" not in html
    assert "You are offline" in html and 'lang="es"' in html


def fake_subscription() -> dict[str, object]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {
        "endpoint": "https://fcm.googleapis.com/fcm/send/device-1",
        "keys": {"p256dh": b64(point), "auth": b64(b"0123456789abcdef")},
    }


def test_the_profile_subscribes_this_browser(plan_year) -> None:
    client = Client(enforce_csrf_checks=True)
    user = make_agent_user(username="pat", licensed=["WI"])
    client.force_login(user)
    page = client.get("/accounts/profile/")
    token = page.cookies["csrftoken"].value
    body = json.dumps(fake_subscription())
    refused = client.post("/app/push/subscribe/", body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    response = client.post(
        "/app/push/subscribe/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert subscription.agent_id == user.agent_id
    gone = client.post(
        "/app/push/unsubscribe/",
        json.dumps({"endpoint": subscription.endpoint}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert gone.json() == {"removed": True} and not PushSubscription.objects.exists()


def test_a_bad_subscription_is_named(plan_year, client: Client) -> None:
    client.force_login(make_agent_user(username="pat", licensed=["WI"]))
    bad = {**fake_subscription(), "endpoint": "https://evil.example/push"}
    response = client.post("/app/push/subscribe/", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "endpoint"
    response = client.post("/app/push/subscribe/", "not json", content_type="application/json")
    assert response.status_code == 422


def test_only_agents_subscribe(db, client: Client) -> None:
    assert (
        client.post("/app/push/subscribe/", "{}", content_type="application/json").status_code
        == 302
    )
    client.force_login(make_operator())
    assert (
        client.post("/app/push/subscribe/", "{}", content_type="application/json").status_code
        == 403
    )


@pytest.mark.django_db
def test_the_service_workers_update_check_survives_a_sign_out_in_another_tab(
    client: Client, plan_year
) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.models import Session

    client.force_login(make_agent_user(username="pat", licensed=["WI"]))
    Session.objects.all().delete()  # signed out elsewhere while the browser fetches it
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies  # it neither saves nor refreshes the session


@pytest.mark.django_db
def test_a_page_still_saves_the_session_on_every_request(client: Client, plan_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_agent_user(username="pat", licensed=["WI"]))
    assert "sessionid" in client.get("/app/offline/").cookies
