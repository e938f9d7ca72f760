"""Answers carrying consumer details are never stored by a browser or proxy cache, and every
answer denies the browser features the site does not use (passkeys stay allowed)."""

import pytest
from django.test import Client

from agentmatch.testing import make_agent, make_agent_user

pytestmark = pytest.mark.django_db

CONSUMER = {
    "first_name": "Ana",
    "last_name": "Diaz",
    "phone": "608-555-0199",
    "zip": "53703",
    "language": "es",
    "consent": True,
}


def test_the_api_answer_and_status_pages_with_consumer_details_are_never_stored(plan_year):
    client = Client()
    created = client.post("/api/v1/referrals", CONSUMER, content_type="application/json")
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    body = created.json()
    status = client.get(f"/api/v1/referrals/{body['id']}", HTTP_X_STATUS_TOKEN=body["status_token"])
    assert status.status_code == 200 and status["Cache-Control"] == "no-store"
    link = client.get(f"/status/{body['id']}/{body['status_token']}/")
    assert link.status_code == 302 and link["Cache-Control"] == "no-store"
    page = client.get(link["Location"])
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"


def test_one_tap_links_and_every_signed_in_page_are_never_stored(plan_year):
    assert Client().get("/n/o/not-a-real-token/")["Cache-Control"] == "no-store"
    agent = make_agent(zip_code="53703", licensed=["WI"])
    client = Client()
    client.force_login(make_agent_user(agent))
    for path in ("/workspace/", "/accounts/profile/", "/availability/", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_a_view_cannot_make_an_api_answer_cacheable():
    # The API's documentation sets no caching of its own; the rule holds for all of /api/.
    response = Client().get("/api/openapi.json")
    assert response["Cache-Control"] == "no-store"


def test_static_files_and_the_app_manifest_keep_their_own_caching():
    client = Client()
    static = client.get("/static/core/site.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    assert client.get("/app/manifest.webmanifest")["Cache-Control"] == "max-age=3600"
    assert client.get("/app/sw.js")["Cache-Control"] == "no-cache"


def test_every_answer_denies_camera_microphone_geolocation_payment_and_usb():
    client = Client()
    for path in ("/", "/static/core/site.css", "/api/openapi.json", "/healthz", "/nowhere/"):
        policy = client.get(path)["Permissions-Policy"]
        directives = dict(d.split("=") for d in policy.split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert directives[feature] == "()", (path, feature)
        # Passkeys (WebAuthn) on our own pages.
        assert directives["publickey-credentials-get"] == "(self)"
        assert directives["publickey-credentials-create"] == "(self)"
