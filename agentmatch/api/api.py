"""REST API, version 1: consumer intake and status, and the agent's offer tools."""

from django.http import HttpRequest, HttpResponse

from agentmatch.api import (
    agent_availability_views,
    agent_referral_views,
    agent_views,
    device_views,
    directory_views,
    push_views,
    referral_views,
)
from agentmatch.api.errors import api_error, install_exception_handlers
from agentmatch.api.openapi import DocumentedAPI
from agentmatch.api.parser import JsonOnlyParser
from agentmatch.planyears.services import NoCurrentPlanYear

api = DocumentedAPI(
    title="AgentMatch",
    version="1",
    description=(
        "Connects consumers who ask for help with Marketplace coverage to the closest "
        "available, licensed agent who speaks their language. Request bodies are JSON "
        "(`Content-Type: application/json`); every error is JSON: "
        '`{"error": {"field", "code", "message"}}`, and each error status of an operation '
        "lists the codes it can answer (`x-error-codes`); every 429 carries Retry-After. "
        "Agents authenticate with a device token (`Authorization: Bearer`, from POST "
        "/auth/token); partners may send `X-Partner-Key` on POST /referrals. Within /api/v1 "
        "changes are additive only; a deprecated operation is announced at least 6 months "
        "ahead (Deprecation and Sunset headers). The guide for integrators, with the "
        "changelog, is docs/api.md."
    ),
    urls_namespace="api-v1",
    parser=JsonOnlyParser(),
)
api.add_router("", referral_views.router)
api.add_router("", agent_views.router)
api.add_router("", agent_referral_views.router)
api.add_router("", agent_availability_views.router)
api.add_router("", device_views.router)
api.add_router("", push_views.router)
api.add_router("", directory_views.router)
install_exception_handlers(api)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api_error(api, request, status, code, message, field)


@api.exception_handler(NoCurrentPlanYear)
def on_no_plan_year(request: HttpRequest, exc: NoCurrentPlanYear) -> HttpResponse:
    return error_response(request, 503, "no_plan_year", str(exc))
