"""The OpenAPI document is one a client author can rely on: every operation has a summary,
a description saying who may call it, its side effects and retries, an example request
body and answer, every error status with the `code` values it answers, and every closed
set (a model field with choices) as an enum. It validates against the OpenAPI 3.1 spec."""

import json
from typing import Any

import pytest
from django.apps import apps
from ninja.responses import NinjaJSONEncoder
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from agentmatch.api.api import api
from agentmatch.core.languages import LANGUAGE_NAMES

METHODS = ("get", "put", "post", "delete", "patch")
JSON = "application/json"

# String properties named like a model field with choices that are free text all the same,
# each with the reason: a new one must be an enum, or be added here with its reason.
FREE_TEXT: dict[tuple[str, str], str] = {
    ("ErrorDetail", "field"): "the name of the input concerned, not an EditedField",
    ("AvailabilityOut", "reason"): "words for people: why the agent is (not) available now",
    ("AvailabilityDetailOut", "reason"): "words for people: why the agent is (not) available",
    ("FollowUpOut", "reason"): "the agent's own words for a deferred or lost referral",
    ("FollowUpIn", "reason"): "the agent's own words for a deferred or lost referral",
    ("StateEligibilityOut", "reasons"): "words for people: why not eligible in the state",
    ("ReferralStatusOut", "status_text"): "the status in words",
    # Inputs that the actions normalise, as the web forms do: an enum would refuse them.
    ("ReferralIn", "language"): "an ISO 639-1 code or an English name ('Spanish')",
    ("PreferencesIn", "languages"): "ISO 639-1 codes or English names",
    ("PreferencesIn", "states"): "state codes in any case ('wi')",
    ("ListingIn", "states"): "state codes in any case ('wi')",
}
# Properties that hold a closed set the models keep outside a field's choices.
EXTRA_CLOSED = {"language": set(LANGUAGE_NAMES), "languages": set(LANGUAGE_NAMES)}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # As served at /api/openapi.json: JSON, so status codes are strings.
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.loads(json.dumps(schema, cls=NinjaJSONEncoder))  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    try:
        validate(document)
    except OpenAPIValidationError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"not valid OpenAPI 3.1: {exc}")


def test_every_operation_has_a_summary_of_its_own(document):
    for name, operation in operations(document):
        summary = operation.get("summary", "")
        # ninja's default is the function's name, title-cased ("Pending Offers").
        assert len(summary.split()) >= 4, f"{name}: summary {summary!r} says too little"


def test_every_operation_says_who_may_call_it_its_side_effects_and_retries(document):
    for name, operation in operations(document):
        description = operation.get("description", "")
        for key, title in (
            ("x-who", "Who may call"),
            ("x-side-effects", "Side effects"),
            ("x-retry", "Retries"),
        ):
            assert operation.get(key), f"{name}: no {key}"
            assert f"**{title}:**" in description, f"{name}: {title} missing in the description"
        # What it does, in its own words, before the notes.
        assert not description.startswith("**"), f"{name}: no description of its own"


def examples_of(content: dict[str, Any]) -> list[Any]:
    media = content.get(JSON, {})
    named = [example["value"] for example in media.get("examples", {}).values()]
    return named + ([media["example"]] if "example" in media else [])


def test_every_operation_with_a_body_has_an_example_body(document):
    for name, operation in operations(document):
        if "requestBody" in operation:
            assert examples_of(operation["requestBody"]["content"]), f"{name}: no example body"


def test_every_operation_has_an_example_answer_for_its_success(document):
    for name, operation in operations(document):
        successes = {s: r for s, r in operation["responses"].items() if int(s) < 300}
        assert successes, f"{name}: no success documented"
        for status, answer in successes.items():
            if "content" in answer:
                assert examples_of(answer["content"]), f"{name}: no example answer ({status})"


def test_every_error_status_lists_its_codes_with_an_example_of_one(document):
    for name, operation in operations(document):
        for status, answer in operation["responses"].items():
            if int(status) < 400:
                continue
            codes = answer.get("x-error-codes")
            assert codes, f"{name}: {status} without its error codes"
            assert answer["content"][JSON]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
            [example] = examples_of(answer["content"])
            assert example["error"]["code"] in codes, f"{name}: {status} example's code"
            if int(status) == 429:
                assert "Retry-After" in answer.get("headers", {}), (
                    f"{name}: 429 without Retry-After"
                )


def test_known_statuses_and_codes_are_documented(document):
    ops = dict(operations(document))
    create = ops["POST /api/v1/referrals"]["responses"]
    assert "already_open" in create["409"]["x-error-codes"]
    assert "rate_limited" in create["429"]["x-error-codes"]
    assert {"invalid", "idempotency_key_reused"} <= set(create["422"]["x-error-codes"])
    status = ops["GET /api/v1/referrals/{referral_id}"]["responses"]
    assert status["404"]["x-error-codes"] == ["not_found"]
    offers = ops["GET /api/v1/agent/offers"]["responses"]
    assert offers["401"]["x-error-codes"] == ["unauthorized"]


def choice_fields() -> dict[str, set[str]]:
    """Every model field with choices, by name: the closed sets the API may carry."""
    found: dict[str, set[str]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("agentmatch."):
            continue
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None)
            if choices and isinstance(choices[0][0], str):
                found.setdefault(field.name, set()).update(str(c[0]) for c in choices)
    for name in list(found):
        if name == "state":
            found["states"] = found[name]
    return {**found, **EXTRA_CLOSED}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema behind a $ref, an Optional (anyOf with null) or an array's items."""
    if "$ref" in schema:
        return resolve(document, document["components"]["schemas"][schema["$ref"].split("/")[-1]])
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        return resolve(document, options[0])
    if schema.get("type") == "array":
        return resolve(document, schema.get("items", {}))
    return schema


def closed_set_for(name: str, closed: dict[str, set[str]]) -> set[str] | None:
    if name in closed:
        return closed[name]
    if name.endswith("_states") or name.endswith("_state"):
        return closed["state"]
    return None


def test_every_string_property_of_a_closed_set_is_an_enum(document):
    closed = choice_fields()
    problems = []
    for schema_name, schema in document["components"]["schemas"].items():
        for prop, declared in schema.get("properties", {}).items():
            values = closed_set_for(prop, closed)
            if values is None or (schema_name, prop) in FREE_TEXT:
                continue
            target = resolve(document, declared)
            if target.get("type") != "string" and "enum" not in target:
                continue
            if "enum" not in target:
                problems.append(f"{schema_name}.{prop} is a free string")
            elif prop in ("language", "languages", "channel", "switch", "contact_method"):
                # Its values come from the model's choices (the enum is built from them).
                assert set(target["enum"]) <= values | {"none"}, f"{schema_name}.{prop}"
    assert not problems, problems


def test_every_query_parameter_of_a_closed_set_is_an_enum(document):
    closed = choice_fields()
    for name, operation in operations(document):
        for parameter in operation.get("parameters", []):
            values = closed_set_for(parameter["name"], closed)
            if parameter["in"] != "query" or values is None:
                continue
            if parameter["name"] in ("state", "language") and name == "GET /api/v1/directory":
                continue  # the page's form: case-insensitive, validated with the search
            assert "enum" in resolve(document, parameter["schema"]), (name, parameter["name"])


def test_the_free_text_exceptions_are_all_still_in_the_document(document):
    schemas = document["components"]["schemas"]
    for schema_name, prop in FREE_TEXT:
        assert prop in schemas[schema_name]["properties"], (schema_name, prop)
