"""Administrators' controls: the page that leads to each, and the recent changes made."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agentmatch.operations.models import ControlChange
from agentmatch.operations.permissions import administrator_required

RECENT_CHANGES = 30


@require_GET
@administrator_required
def controls(request: HttpRequest) -> HttpResponse:
    recent = ControlChange.objects.select_related("operator")[:RECENT_CHANGES]
    return render(request, "operations/controls.html", {"recent": recent})
