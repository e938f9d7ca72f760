"""REST API, version 1: consumer intake and status, and the agent's offer tools."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from agentmatch.api import agent_views, device_views, push_views, referral_views
from agentmatch.planyears.services import NoCurrentPlanYear

api = NinjaAPI(
    title="AgentMatch",
    version="1",
    description=(
        "Connects consumers who ask for help with Marketplace coverage to the closest "
        "available, licensed agent who speaks their language."
    ),
    urls_namespace="api-v1",
)
api.add_router("", referral_views.router)
api.add_router("", agent_views.router)
api.add_router("", device_views.router)
api.add_router("", push_views.router)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"field": field, "code": code, "message": message}}, status=status
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query")]
    field = ".".join(loc) or None
    message = first.get("msg", "Invalid input")
    if field:
        message = f"{field}: {message}"
    return error_response(request, 422, "invalid", message, field)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthorized", "A valid agent API token is required (Authorization: Bearer)."
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(NoCurrentPlanYear)
def on_no_plan_year(request: HttpRequest, exc: NoCurrentPlanYear) -> HttpResponse:
    return error_response(request, 503, "no_plan_year", str(exc))
