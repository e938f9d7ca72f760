"""The live queue page and the fragment it refreshes itself with (htmx, every few seconds)."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from agentmatch.operations import queue
from agentmatch.operations.permissions import operator_required

POLL_SECONDS = 10


def _live(filters: queue.QueueFilters, now: datetime) -> dict[str, Any]:
    def section(name: str, find: Any) -> Any:
        return find(filters, now=now) if filters.shows(name) else None

    return {
        "filters": filters,
        "now": now,
        "waiting": section("waiting", queue.waiting_referrals),
        "offered": section("offered", queue.offered_referrals),
        "unmatched": section("unmatched", queue.recently_unmatched),
        "supply": queue.agent_supply(filters),
        "gaps": queue.demand_without_supply(),
        "poll_seconds": POLL_SECONDS,
        # The fragment is asked for with the filters as parsed, never the raw query string.
        "live_query": urlencode(
            {
                key: value
                for key, value in vars(filters).items()
                if value != getattr(queue.QueueFilters, key)
            }
        ),
    }


def _errors(form: queue.QueueFilterForm) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


@require_GET
@operator_required
def live_queue(request: HttpRequest) -> HttpResponse:
    form = queue.QueueFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "filter_errors": _errors(form)}
        return render(request, "operations/queue.html", context, status=400)
    context = {"form": form, **_live(form.filters(), timezone.now())}
    context["routing_policy"] = settings.ROUTING_POLICY  # named under the heading
    return render(request, "operations/queue.html", context)


@require_GET
def live_queue_fragment(request: HttpRequest) -> HttpResponseBase:
    if request.headers.get("HX-Request") and not request.user.is_authenticated:
        # Signed out while the page polled (session expired, signed out elsewhere): the
        # whole page goes to the login page, instead of htmx swapping it into the queue.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(reverse("operations:queue"))["Location"]
        return response
    return _fragment(request)


@operator_required
def _fragment(request: HttpRequest) -> HttpResponse:
    form = queue.QueueFilterForm(request.GET)
    if not form.is_valid():
        context = {"filter_errors": _errors(form)}
        return render(request, "operations/_queue_errors.html", context, status=400)
    return render(request, "operations/_queue_live.html", _live(form.filters(), timezone.now()))
