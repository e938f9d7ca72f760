"""Find Local Help: the public directory page. Thin: the search's validator, the one
action and what only the web needs (the form's values back, paging links)."""

import logging
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agentmatch.agents.labels import language_choices
from agentmatch.core.clients import client_address
from agentmatch.core.states import STATE_CHOICES
from agentmatch.directory.actions import search_directory
from agentmatch.directory.search import RADIUS_CHOICES, InvalidSearch, parse_search
from agentmatch.referrals.limits import RateLimited

logger = logging.getLogger(__name__)

FIELDS = ("zip", "city", "state", "radius", "language")


@require_GET
def find_help(request: HttpRequest) -> HttpResponse:
    values = {name: request.GET.get(name, "").strip() for name in FIELDS}
    context: dict[str, object] = {
        "values": values,
        "radius_choices": RADIUS_CHOICES,
        "languages": [(code, name) for code, name, _translated in language_choices()],
        "states": STATE_CHOICES,
        "errors": {},
    }
    searched = any(values.values()) or "page" in request.GET
    if not searched:
        return render(request, "directory/find_help.html", context)
    status = 200
    try:
        search = parse_search(
            zip_code=values["zip"],
            city=values["city"],
            state=values["state"],
            radius=values["radius"],
            language=values["language"],
            page=request.GET.get("page", ""),
        )
        page = search_directory(
            search=search, client_address=client_address(request), now=timezone.now()
        )
    except InvalidSearch as exc:
        context["errors"] = exc.errors
        status = 400
    except RateLimited as exc:
        logger.info("Find Local Help: rate limit per address reached")
        context["problem"] = _(
            "We received many searches from this connection in the last hour. Please wait "
            "a while and try again, or call the Marketplace Call Center at 1-800-318-2596."
        )
        response = render(request, "directory/find_help.html", context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    else:
        query = {k: v for k, v in values.items() if v}
        context.update(
            page=page,
            place=search.place,
            contact_zip=search.place.zip_code,
            previous_url=_page_url(query, search.page - 1) if search.page > 1 else "",
            next_url=_page_url(query, search.page + 1) if page.has_next else "",
            first_url=_page_url(query, 1),
        )
    return render(request, "directory/find_help.html", context, status=status)


def _page_url(query: dict[str, str], number: int) -> str:
    return "?" + urlencode({**query, "page": number})
