"""The OpenAPI document lists every status an operation can answer.

Each operation declares its own outcomes (201, 404, 409, ...). The statuses every operation
shares are added here, from what the document already says about the operation, so a new
operation is documented fully without repeating them:

- 401 where the operation needs a token;
- 422 where it takes any input (path, query, header or body);
- 413 (too large) and 415 (not JSON) where it takes a body;
- 429 where it is public (rate limits and login lockout);
- 503 `no_plan_year` where it needs a token (eligibility, routing states and listings
  depend on the current plan year; a deployment has none until operators set one up);
- 400 (unreadable JSON, or a control character in the address, a query parameter or a
  header: see agentmatch.core.input_guard) and 500 everywhere.

Each error status lists the `code` values it can answer (`x-error-codes`): the shared ones
below, with those the operation declares (agentmatch.api.documentation). Every 429 tells
of Retry-After. The notes an operation gives on who may call it, its side effects and
retries close its description, so a reader of the description alone knows them.
"""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from agentmatch.api.documentation import RETRY_AFTER, error_example
from agentmatch.api.errors import status_error
from agentmatch.api.schemas import ErrorOut

ERROR_REF = "#/components/schemas/ErrorOut"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# The codes any operation may answer with each shared status (see agentmatch.api.errors).
COMMON_CODES: dict[int, tuple[str, ...]] = {
    400: ("bad_request", "malformed_json", "control_characters"),
    401: ("unauthorized",),
    413: ("too_large",),
    415: ("unsupported_media_type",),
    422: ("invalid", "control_characters"),
    429: ("too_many_requests",),
    500: ("server_error",),
    503: ("no_plan_year",),
}
NO_PLAN_YEAR = "No plan year is set up yet (operators set one up with set_plan_year)."
NOTES = (("x-who", "Who may call"), ("x-side-effects", "Side effects"), ("x-retry", "Retries"))


def common_statuses(operation: dict[str, Any]) -> list[int]:
    authenticated = bool(operation.get("security"))
    has_body = "requestBody" in operation
    has_input = has_body or bool(operation.get("parameters"))
    statuses = [401, 503] if authenticated else [429]
    if has_input:
        statuses.append(422)
    if has_body:
        statuses += [413, 415]
    return [*statuses, 400, 500]


def _shared_error(status: int) -> dict[str, Any]:
    code, message = COMMON_CODES[status][0], status_error(status)[1]
    if status == 422:
        message = "A value is missing or wrong: `field` names it (dotted for nested ones)."
    if status == 503:
        message = NO_PLAN_YEAR
    return {
        "description": message,
        "content": {"application/json": {"example": error_example(None, code, message)}},
    }


def _complete_error(status: int, answer: dict[str, Any], shared: bool) -> None:
    """The shared codes of `status` (where it is one the operation shares) join the
    operation's own; the body is an ErrorOut."""
    codes = [*answer.get("x-error-codes", [])]
    if shared or not codes:
        codes += [code for code in COMMON_CODES.get(status, ()) if code not in codes]
    answer["x-error-codes"] = codes
    content = answer.setdefault("content", {}).setdefault("application/json", {})
    content["schema"] = {"$ref": ERROR_REF}
    if "example" not in content and "examples" not in content:
        content["example"] = error_example(None, codes[0], answer.get("description", ""))
    if status == 429:
        answer.setdefault("headers", {}).update(RETRY_AFTER)


def _close_description(operation: dict[str, Any]) -> None:
    notes = [f"**{title}:** {operation[key]}" for key, title in NOTES if operation.get(key)]
    text = operation.get("description", "").strip()
    operation["description"] = "\n\n".join([text, *notes] if text else notes)


def add_common_errors(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components.setdefault("ErrorOut", error_schema)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            shared = common_statuses(operation)
            for status in shared:
                if str(status) not in {str(s) for s in responses}:
                    responses[status] = _shared_error(status)
            for status, answer in responses.items():
                if int(status) >= 400:
                    _complete_error(int(status), answer, int(status) in shared)
            _close_description(operation)


class DocumentedAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_common_errors(schema)
        return schema
