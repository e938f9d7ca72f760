"""The API's documents at stable addresses without a version."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET
from ninja.openapi.views import openapi_json

from agentmatch.api.api import api


@require_GET
def openapi_schema(request: HttpRequest) -> HttpResponse:
    # The same document ninja serves at /api/v1/openapi.json, at an address without version.
    return openapi_json(request, api)


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    return redirect("/api/v1/docs")
