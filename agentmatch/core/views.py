"""Small site-wide pages: health check and stable API doc addresses."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET
from ninja.openapi.views import openapi_json

from agentmatch.api.api import api


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; 503 otherwise (for load balancers and `run`'s test)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "db": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "db": "ok"})


@require_GET
def openapi_schema(request: HttpRequest) -> HttpResponse:
    # The same document ninja serves at /api/v1/openapi.json, at an address without version.
    return openapi_json(request, api)


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    return redirect("/api/v1/docs")
