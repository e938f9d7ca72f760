"""The OpenAPI document lists every status each operation can answer, so a client (and the
property-based test) knows every outcome in advance."""

import pytest
from django.test import Client

from agentmatch.testing import make_agent, make_agent_user

pytestmark = pytest.mark.django_db

ERROR = {"$ref": "#/components/schemas/ErrorOut"}


def operations() -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    document = Client().get("/api/openapi.json").json()
    assert "ErrorOut" in document["components"]["schemas"]
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def statuses(operation: dict) -> set[str]:  # type: ignore[type-arg]
    return set(operation["responses"])


def test_every_operation_documents_400_and_500_as_json_errors():
    for name, operation in operations():
        for status in ("400", "500"):
            content = operation["responses"][status]["content"]
            assert content["application/json"]["schema"] == ERROR, name


def test_every_operation_that_needs_a_token_documents_401_and_public_ones_429():
    for name, operation in operations():
        if operation.get("security"):
            assert "401" in statuses(operation), name
        else:
            assert "429" in statuses(operation), name


def test_every_operation_with_input_documents_422_and_with_a_body_413_and_415():
    for name, operation in operations():
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in statuses(operation), name
        if "requestBody" in operation:
            assert {"413", "415"} <= statuses(operation), name


def test_an_operation_keeps_the_statuses_it_declares_itself():
    [(_name, create)] = [(n, o) for n, o in operations() if n == "POST /api/v1/referrals"]
    assert "201" in statuses(create)


def test_the_login_lockout_under_the_api_is_a_json_429(plan_year, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_agent_user(make_agent(zip_code="53711", licensed=["WI"]), username="rosa")
    client = Client()
    body = {"username": "rosa", "password": "wrong"}
    for _ in range(3):
        response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "locked_out"
