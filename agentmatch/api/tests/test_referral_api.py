"""The consumer API: Get Contacted, status with the secret token, cancel."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.api.tests.helpers import REQUEST, post_referral
from agentmatch.planyears.services import set_intake
from agentmatch.referrals.models import Referral
from agentmatch.testing import api_token_for, make_agent

pytestmark = pytest.mark.django_db

GOOD = REQUEST
post = post_referral


@pytest.fixture
def agent(plan_year):
    return make_agent(
        zip_code="53711",
        licensed=["WI"],
        languages=["en", "es"],
        first_name="Rosa",
        last_name="Vega",
    )


def test_get_contacted_returns_id_reference_status_and_a_secret_token(client, agent):
    response = post(client, GOOD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "offered"
    assert len(body["status_token"]) >= 40
    referral = Referral.objects.get(public_id=body["id"])
    # What the consumer is told to quote: the short code, not the id of the URLs.
    assert body["reference"] == referral.reference and len(body["reference"]) == 9
    assert referral.phone == "+16085550199"
    assert referral.consent_wording_version and referral.consent_given_at
    assert body["status_token"] not in referral.status_token_hash


def test_status_needs_the_token_and_shows_the_agent_once_accepted(client, agent):
    body = post(client, GOOD).json()
    url = f"/api/v1/referrals/{body['id']}"
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_X_STATUS_TOKEN="wrong").status_code == 404
    status = client.get(url, HTTP_X_STATUS_TOKEN=body["status_token"]).json()
    assert status["status"] == "offered" and status["agent"] is None
    assert status["reference"] == body["reference"]

    offer_id = Referral.objects.get(public_id=body["id"]).offers.get().pk
    token = api_token_for(agent)
    accepted = client.post(
        f"/api/v1/offers/{offer_id}/accept", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert accepted.status_code == 200
    status = client.get(f"{url}?token={body['status_token']}").json()
    assert status["status"] == "accepted"
    assert status["agent"] == {
        "name": "Rosa Vega",
        "npn": agent.npn,
        "phone": "(608) 555-" + agent.cell_phone[-4:],
    }


def test_consumer_can_cancel_once(client, agent):
    body = post(client, GOOD).json()
    url = f"/api/v1/referrals/{body['id']}/cancel"
    first = client.post(url, HTTP_X_STATUS_TOKEN=body["status_token"])
    assert first.status_code == 200 and first.json()["status"] == "canceled"
    again = client.post(url, HTTP_X_STATUS_TOKEN=body["status_token"])
    assert again.status_code == 409
    assert "canceled" in again.json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"zip": "00000"}, "zip"),
        ({"zip": "abc"}, "zip"),
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"language": "klingon"}, "language"),
        ({"consent": False}, "consent"),
        ({"first_name": "  "}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"consent": "maybe"}, "consent"),
        ({"zip": 53703}, "zip"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_stores_nothing(client, agent, change, field):
    response = post(client, {**GOOD, **change})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert Referral.objects.count() == 0


def test_missing_field_and_broken_json_are_named(client, agent):
    body = {k: v for k, v in GOOD.items() if k != "phone"}
    response = post(client, body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "phone"
    broken = client.post("/api/v1/referrals", "{not json", content_type="application/json")
    assert broken.status_code in (400, 422)
    assert "error" in broken.json()
    assert Referral.objects.count() == 0


def test_zip_in_a_state_with_its_own_exchange_is_pointed_there(client, agent):
    response = post(client, {**GOOD, "zip": "90210"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "state_not_served"
    assert "California" in error["message"] and "Covered California" in error["message"]


def test_paused_intake_says_so(client, agent, plan_year):
    set_intake(plan_year=plan_year, open=False, message="Open Enrollment has ended.")
    response = post(client, GOOD)
    assert response.status_code == 503
    assert response.json()["error"]["message"] == "Open Enrollment has ended."


def test_paused_intake_answers_a_spanish_request_with_the_spanish_message(client, plan_year):
    set_intake(
        plan_year=plan_year,
        open=False,
        message="Open Enrollment has ended.",
        message_es="La inscripción abierta terminó.",
    )
    response = post(client, {**GOOD, "language": "es"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "intake_paused"
    assert response.json()["error"]["message"] == "La inscripción abierta terminó."
    english = post(client, {**GOOD, "language": "en"})
    assert english.json()["error"]["message"] == "Open Enrollment has ended."


def test_paused_intake_without_messages_answers_spanish_in_spanish(client, plan_year):
    set_intake(plan_year=plan_year, open=False, message="", message_es="")
    spanish = post(client, {**GOOD, "language": "es"}).json()["error"]["message"]
    assert spanish.startswith("Las solicitudes para el año del plan 2026 están en pausa")
    english = post(client, {**GOOD, "language": "en"}).json()["error"]["message"]
    assert english == "Requests for plan year 2026 are paused until intake reopens."


def test_openapi_schema_is_published(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/referrals" in response.json()["paths"]


def test_status_token_expires(client, agent, settings):
    body = post(client, GOOD).json()
    Referral.objects.update(created_at=timezone.now() - timedelta(days=31))
    url = f"/api/v1/referrals/{body['id']}"
    assert client.get(url, HTTP_X_STATUS_TOKEN=body["status_token"]).status_code == 404


def test_no_current_plan_year_is_a_clear_503(client, db):
    response = post(client, GOOD)
    assert response.status_code == 503
    assert "plan year" in response.json()["error"]["message"]
