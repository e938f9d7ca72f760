"""What every agent operation of the workspace doors shares: the agent, the error answer,
and the OpenAPI notes (examples, each error's codes) in one shape."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from agentmatch.agents.models import Agent

JSON = "application/json"


def agent_of(request: HttpRequest) -> Agent:
    """The agent whose device token authenticated the request (see api.auth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    from agentmatch.api.api import error_response

    return error_response(request, status, code, message, field)


def error_example(field: str | None, code: str, message: str) -> dict[str, Any]:
    return {"error": {"field": field, "code": code, "message": message}}


def documented(
    *,
    body: Any = None,
    bodies: dict[str, Any] | None = None,
    answer: Any = None,
    status: int = 200,
    errors: dict[int, tuple[str, dict[str, Any] | None]] | None = None,
) -> dict[str, Any]:
    """An operation's `openapi_extra`: an example request body (or several by name), an
    example answer, and per error status its description (the codes) and an example."""
    extra: dict[str, Any] = {}
    if body is not None:
        extra["requestBody"] = {"content": {JSON: {"example": body}}}
    if bodies is not None:
        named = {name: {"value": value} for name, value in bodies.items()}
        extra["requestBody"] = {"content": {JSON: {"examples": named}}}
    responses: dict[int, Any] = {}
    if answer is not None:
        responses[status] = {"content": {JSON: {"example": answer}}}
    for error_status, (description, example) in (errors or {}).items():
        responses[error_status] = {"description": description}
        if example is not None:
            responses[error_status]["content"] = {JSON: {"example": example}}
    if responses:
        extra["responses"] = responses
    return extra
