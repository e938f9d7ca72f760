"""The OpenAPI document lists every status an operation can answer.

Each operation declares its own outcomes (201, 404, 409, ...). The statuses every operation
shares are added here, from what the document already says about the operation, so a new
operation is documented fully without repeating them:

- 401 where the operation needs a token;
- 422 where it takes any input (path, query, header or body);
- 413 (too large) and 415 (not JSON) where it takes a body;
- 429 where it is public (rate limits and login lockout);
- 400 (unreadable JSON, or a control character in the address, a query parameter or a
  header: see agentmatch.core.input_guard) and 500 everywhere.
"""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from agentmatch.api.errors import status_error
from agentmatch.api.schemas import ErrorOut

ERROR_REF = "#/components/schemas/ErrorOut"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def common_statuses(operation: dict[str, Any]) -> list[int]:
    authenticated = bool(operation.get("security"))
    has_body = "requestBody" in operation
    has_input = has_body or bool(operation.get("parameters"))
    statuses = [401] if authenticated else [429]
    if has_input:
        statuses.append(422)
    if has_body:
        statuses += [413, 415]
    return [*statuses, 400, 500]


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
            documented = {str(status) for status in responses}
            for status in common_statuses(operation):
                if str(status) in documented:
                    continue
                responses[status] = {
                    "description": status_error(status)[1],
                    "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
                }


class DocumentedAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        add_common_errors(schema)
        return schema
