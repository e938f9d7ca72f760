"""Every answer under /api/ is JSON in the error shape, with a status the client can act on,
and every request body is strict JSON without control characters."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.api.api import api
from agentmatch.testing import api_token_for, make_agent

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Ana",
    "last_name": "Diaz",
    "phone": "(608) 555-0199",
    "zip": "53703",
    "consent": True,
}


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def post_json(client: Client, body: object, path: str = "/api/v1/referrals", **extra: str):  # type: ignore[no-untyped-def]
    return client.post(path, body, content_type="application/json", **extra)


def put_availability(client: Client, body: object):  # type: ignore[no-untyped-def]
    token = api_token_for(make_agent(zip_code="53711", licensed=["WI"]))
    return client.put(
        "/api/v1/agent/availability",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def error_of(response) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    error: dict[str, object] = response.json()["error"]
    assert set(error) == {"field", "code", "message"}
    return error


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/nothing", "/api/v1/offers/x/y"])
def test_an_unknown_api_address_answers_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_method_the_operation_does_not_take_answers_a_json_405_with_allow(client):
    response = client.get("/api/v1/referrals")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert error_of(response)["code"] == "method_not_allowed"


def test_an_over_large_body_answers_a_json_413(client, settings, plan_year):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(client, {**GOOD, "last_name": "x" * 2000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_an_unexpected_exception_answers_a_generic_json_500_and_is_logged(
    client, plan_year, monkeypatch, caplog
):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    # Fails inside every operation, before its view: the handler is the API's, not a view's.
    monkeypatch.setattr(api, "create_temporal_response", broken)
    with caplog.at_level(logging.ERROR, logger="agentmatch.api"):
        response = post_json(client, GOOD)
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert b"secret internals" not in response.content
    assert "secret internals" in caplog.text


def test_an_exception_outside_the_api_operations_still_answers_json_500(client, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("agentmatch.api.views.openapi_json", broken)
    response = client.get("/api/openapi.json")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert b"secret internals" not in response.content


def test_malformed_json_answers_400(client, plan_year):
    response = client.post("/api/v1/referrals", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_is_not_json_is_refused_with_415(client, plan_year, content_type):
    # A cross-site page can send these without a CORS preflight ("simple" requests).
    import json

    response = client.generic(
        "POST", "/api/v1/referrals", json.dumps(GOOD), content_type=content_type
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_a_json_body_with_a_charset_is_accepted(client, plan_year):
    make_agent(zip_code="53711", licensed=["WI"])
    response = post_json(client, GOOD, CONTENT_TYPE="application/json; charset=utf-8")
    assert response.status_code == 201


@pytest.mark.parametrize("consent", ["yes", "true", 1, "1", "on"])
def test_consent_must_be_a_json_boolean(client, plan_year, consent):
    response = post_json(client, {**GOOD, "consent": consent})
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "consent"
    assert "boolean" in str(error["message"])


def test_a_weekday_must_be_a_json_integer(client, plan_year):
    body = {"weekly_hours": [{"weekday": "1", "start": "09:00:00", "end": "17:00:00"}]}
    response = put_availability(client, body)
    assert response.status_code == 422
    assert error_of(response)["field"] == "weekly_hours.0.weekday"


def test_dates_and_times_still_arrive_as_json_strings(client, plan_year):
    soon = timezone.localdate() + timedelta(days=10)
    body = {
        "weekly_hours": [{"weekday": 1, "start": "09:00:00", "end": "17:00:00"}],
        "absences": [{"first_day": soon.isoformat(), "last_day": soon.isoformat(), "note": "Trip"}],
    }
    response = put_availability(client, body)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("value", ["Ana\x00", "An\x1ba", "Ana\nDiaz", "Ana\tDiaz"])
def test_control_characters_in_a_name_answer_422_naming_the_field(client, plan_year, value):
    response = post_json(client, {**GOOD, "first_name": value})
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == "first_name"
    assert error["code"] == "control_characters"
    assert error["message"] == "The first name cannot contain control characters."


@pytest.mark.parametrize("field", ["username", "password", "device_name"])
def test_a_nul_in_any_body_is_refused_even_by_schemas_of_their_own(client, plan_year, field):
    body = {"username": "olivia", "password": "x", "device_name": "Phone", field: "ab\x00c"}
    response = post_json(client, body, path="/api/v1/auth/token")
    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_a_nul_in_a_nested_field_names_its_full_path(client, plan_year):
    body = {"absences": [{"first_day": "2099-01-02", "last_day": "2099-01-03", "note": "a\x00"}]}
    response = put_availability(client, body)
    assert response.status_code == 422
    assert error_of(response)["field"] == "absences.0.note"


@pytest.mark.parametrize("header", ["HTTP_X_STATUS_TOKEN", "HTTP_IDEMPOTENCY_KEY"])
def test_control_characters_in_a_header_answer_a_json_400_naming_it(client, plan_year, header):
    response = client.get(
        "/api/v1/referrals/6c1d2f5e-4b7a-4d8e-9f10-111213141516", **{header: "abc\x00def"}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["field"] == header[5:].replace("_", "-").title()
    assert error["code"] == "control_characters"


def test_a_nul_in_a_query_parameter_answers_a_json_400_naming_it(client, plan_year):
    response = client.get("/api/v1/referrals/6c1d2f5e-4b7a-4d8e-9f10-111213141516?token=%00")
    assert response.status_code == 400
    assert error_of(response)["field"] == "token"
