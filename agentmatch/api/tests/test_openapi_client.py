"""A client built at run time from the OpenAPI document alone works against the service.

`DocumentClient` knows nothing of the API but the document: for each operation it takes the
documented example body (and query parameter examples), sends the request, checks the
status is one the operation documents, validates the answer against the documented schema
(openapi-schema-validator, OAS 3.1 with formats), and for an error checks its `code` is
among the documented `x-error-codes`. The test walks every operation of the document with
its examples, in the order an integration would: a consumer's request from the intake
example, the agent app's login from the login example, the offer, the follow-ups ...

The examples are written for a moment of the 2026 open enrollment (Monday 2 November 2026,
9:00 in Madison, WI), so the test runs at that moment.
"""

import json
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from openapi_schema_validator import OAS31Validator

from agentmatch.api.device_views import LOGIN_EXAMPLE
from agentmatch.testing import make_agent, make_agent_user

pytestmark = pytest.mark.django_db

EXAMPLE_MOMENT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
JSON = "application/json"


class DocumentClient:
    """Requests from the document's examples; answers checked against its schemas."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.document: dict[str, Any] = client.get("/api/openapi.json").json()
        self.token: str | None = None
        self.called: set[tuple[str, str]] = set()

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.document["paths"][path][method.lower()]  # type: ignore[no-any-return]

    def example_bodies(self, method: str, path: str) -> dict[str, Any]:
        """The documented request bodies, by example name ("example" for a single one)."""
        media = self.operation(method, path)["requestBody"]["content"][JSON]
        if "examples" in media:
            return {name: ex["value"] for name, ex in media["examples"].items()}
        return {"example": media["example"]}

    def call(
        self,
        method: str,
        path: str,
        *,
        path_params: dict[str, Any] | None = None,
        body: Any = None,
        example: str | None = None,
        headers: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> tuple[int, Any, dict[str, str]]:
        operation = self.operation(method, path)
        self.called.add((method.upper(), path))
        if body is None and "requestBody" in operation:
            bodies = self.example_bodies(method, path)
            body = bodies[example] if example else next(iter(bodies.values()))
        query = {
            p["name"]: p["example"]
            for p in operation.get("parameters", [])
            if p["in"] == "query" and "example" in p
        }
        sent_headers = dict(headers or {})
        if authenticated and operation.get("security") and self.token:
            sent_headers["Authorization"] = f"Bearer {self.token}"
        url = path.format(**(path_params or {}))
        response = self.client.generic(
            method.upper(),
            url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
            json.dumps(body) if body is not None else "",
            content_type=JSON,
            headers=sent_headers,
        )
        documented = operation["responses"]
        status = response.status_code
        assert str(status) in documented, f"{method} {path}: {status} is not documented"
        answer = json.loads(response.content) if response.content else None
        content = documented[str(status)].get("content", {}).get(JSON)
        if content is not None:
            self.validate(answer, content["schema"], f"{method} {path} {status}")
        if status >= 400:
            codes = documented[str(status)]["x-error-codes"]
            assert answer["error"]["code"] in codes, f"{method} {path}: {answer} not in {codes}"
        return status, answer, dict(response.headers)

    def validate(self, answer: Any, schema: dict[str, Any], where: str) -> None:
        # The document's components beside the schema, so its local $refs resolve.
        rooted = {**schema, "components": self.document["components"]}
        validator = OAS31Validator(rooted, format_checker=OAS31Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(answer), key=str)
        assert not errors, f"{where}: {errors[0].message} at {list(errors[0].absolute_path)}"


@pytest.fixture
def at_the_examples_moment():  # type: ignore[no-untyped-def]
    with mock.patch("django.utils.timezone.now", return_value=EXAMPLE_MOMENT):
        yield


@pytest.fixture
def rosa(plan_year, at_the_examples_moment, settings):  # type: ignore[no-untyped-def]
    """The agent of the examples: licensed in Wisconsin, Spanish-speaking, her account the
    login example's."""
    settings.VAPID_PUBLIC_KEY = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJu"
    agent = make_agent(
        zip_code="53711",
        licensed=["WI", "IA"],
        languages=["en", "es"],
        first_name="Rosa",
        last_name="Martinez",
        now=EXAMPLE_MOMENT,
    )
    make_agent_user(agent, username=LOGIN_EXAMPLE["username"], password=LOGIN_EXAMPLE["password"])
    return agent


def all_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    }


def test_a_client_built_from_the_document_works_with_every_example(rosa):
    api = DocumentClient(Client())
    v1 = "/api/v1"

    # The agent app logs in with the login example.
    status, token, _ = api.call("POST", f"{v1}/auth/token")
    assert status == 201
    api.token = token["token"]
    assert api.call("GET", f"{v1}/push/vapid-public-key")[0] == 200
    assert api.call("POST", f"{v1}/agent/push-subscriptions")[0] == 201
    assert api.call("DELETE", f"{v1}/agent/push-subscriptions")[0] == 204

    # The settings pages' examples.
    assert api.call("PUT", f"{v1}/agent/contact")[0] == 200
    assert api.call("GET", f"{v1}/agent/contact")[0] == 200
    assert api.call("PUT", f"{v1}/agent/preferences")[0] == 200
    assert api.call("PUT", f"{v1}/agent/availability")[0] == 200
    for switch in ("off", "on"):
        status, availability, _ = api.call(
            "POST", f"{v1}/agent/availability/switch", example=switch
        )
        assert status == 200 and availability["switch"] in ("off", "on", "schedule")
    status, absence, _ = api.call("POST", f"{v1}/agent/absences")
    assert status == 201
    assert api.call("GET", f"{v1}/agent/availability")[0] == 200
    assert (
        api.call(
            "DELETE",
            f"{v1}/agent/absences/{{absence_id}}",
            path_params={"absence_id": absence["id"]},
        )[0]
        == 204
    )
    assert api.call("PUT", f"{v1}/agent/directory-listing")[0] == 200
    assert api.call("GET", f"{v1}/agent/directory-listing")[0] == 200
    assert api.call("GET", f"{v1}/agent/eligibility")[0] == 200
    assert api.call("GET", f"{v1}/agent/profile")[0] == 200
    assert api.call("POST", f"{v1}/agent/test-message")[0] == 200

    # A consumer finds Rosa with the directory example, then asks to be contacted.
    status, found, _ = api.call("GET", f"{v1}/directory")
    assert status == 200 and [a["name"] for a in found["agents"]] == ["Rosa Martinez"]
    status, created, _ = api.call("POST", f"{v1}/referrals")
    assert status == 201 and created["status"] == "offered"
    by_token = {"X-Status-Token": created["status_token"]}
    referral = {"referral_id": created["id"]}
    status, _answer, _ = api.call(
        "GET", f"{v1}/referrals/{{referral_id}}", path_params=referral, headers=by_token
    )
    assert status == 200

    # Rosa accepts it and records her follow-ups with both examples.
    status, offers, _ = api.call("GET", f"{v1}/agent/offers")
    assert status == 200 and len(offers) == 1
    offer = {"offer_id": offers[0]["id"]}
    assert api.call("POST", f"{v1}/offers/{{offer_id}}/accept", path_params=offer)[0] == 200
    assert api.call("GET", f"{v1}/agent/referrals")[0] == 200
    for example in ("deferred", "enrolled"):
        status, _row, _ = api.call(
            "POST",
            f"{v1}/agent/referrals/{{referral_id}}/follow-ups",
            path_params=referral,
            example=example,
        )
        assert status == 201
    status, detail, _ = api.call(
        "GET", f"{v1}/agent/referrals/{{referral_id}}", path_params=referral
    )
    assert status == 200 and detail["follow_up"]["status"] == "enrolled"

    # The same consumer asks again (the first request ended): Rosa turns it down, and the
    # consumer cancels it while it waits for another agent.
    status, again, _ = api.call("POST", f"{v1}/referrals")
    assert status == 201
    status, offers, _ = api.call("GET", f"{v1}/agent/offers")
    offer = {"offer_id": offers[0]["id"]}
    assert api.call("POST", f"{v1}/offers/{{offer_id}}/reject", path_params=offer)[0] == 200
    status, canceled, _ = api.call(
        "POST",
        f"{v1}/referrals/{{referral_id}}/cancel",
        path_params={"referral_id": again["id"]},
        headers={"X-Status-Token": again["status_token"]},
    )
    assert status == 200 and canceled["status"] == "canceled"
    status, history, _ = api.call("GET", f"{v1}/agent/history")
    assert status == 200 and [r["outcome"] for r in history["rows"]] == ["rejected", "accepted"]

    assert api.called == all_operations(api.document), "operations the walk did not call"


def test_the_client_meets_the_documented_errors_with_their_codes(rosa):
    api = DocumentClient(Client())
    v1 = "/api/v1"
    # No token, a wrong password, an unknown request, a second open request, a bad body.
    assert api.call("GET", f"{v1}/agent/offers", authenticated=False)[0] == 401
    wrong = {**api.example_bodies("POST", f"{v1}/auth/token")["example"], "password": "no"}
    assert api.call("POST", f"{v1}/auth/token", body=wrong)[0] == 401
    status, _error, _ = api.call(
        "GET",
        f"{v1}/referrals/{{referral_id}}",
        path_params={"referral_id": "0b7c2f3e-0f54-4c1a-9a53-7d1f3c9e2a10"},
        headers={"X-Status-Token": "not-a-token"},
    )
    assert status == 404
    assert api.call("POST", f"{v1}/referrals")[0] == 201
    assert api.call("POST", f"{v1}/referrals")[0] == 409
    status, error, _ = api.call("POST", f"{v1}/referrals", body={"consent": "yes"})
    assert status == 422 and error["error"]["field"]
