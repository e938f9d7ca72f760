"""What every operation's door shares: the agent a token authenticated, and the JSON error
answer (the OpenAPI notes are agentmatch.api.documentation)."""

from django.http import HttpRequest, HttpResponse

from agentmatch.agents.models import Agent


def agent_of(request: HttpRequest) -> Agent:
    """The agent whose device token authenticated the request (see api.auth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    """The API's JSON error, `{"error": {"field", "code", "message"}}`."""
    from agentmatch.api.api import error_response

    return error_response(request, status, code, message, field)
