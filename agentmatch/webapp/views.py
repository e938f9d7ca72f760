"""The installable app: manifest, service worker, offline page, and this browser's Web Push.

The service worker is served from /app/sw.js with `Service-Worker-Allowed: /` so it can
control the whole site (scope "/"); the manifest's start_url is the agent workspace.
"""

import hashlib
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from agentmatch.accounts.agent_actions import add_push_subscription, remove_push_subscription
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Channel

THEME_COLOR = "#162e51"  # USWDS primary-darkest, as the site header
BACKGROUND_COLOR = "#ffffff"
# Bump when the offline page changes: the worker then refreshes its cache. The stylesheet's
# hashed name changes with its content, which renames the cache too (see service_worker).
CACHE_VERSION = "2"


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static("webapp/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("webapp/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("webapp/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    data: dict[str, Any] = {
        "id": "/workspace/",
        "name": "AgentMatch",
        "short_name": "AgentMatch",
        "description": _(
            "Referrals from consumers who want help with Marketplace health coverage."
        ),
        "lang": get_language() or "en",
        "start_url": "/workspace/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


def _digest(urls: list[str]) -> str:
    return hashlib.sha256("\n".join(urls).encode()).hexdigest()[:10]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    precache = [
        reverse("webapp:offline"),
        static("uswds/css/uswds.css"),
        static("core/site.css"),
        static("webapp/icons/icon-192.png"),
    ]
    response = render(
        request,
        "webapp/sw.js",
        {
            "cache_name": f"agentmatch-offline-v{CACHE_VERSION}-{_digest(precache)}",
            "offline_url": json.dumps(reverse("webapp:offline")),
            "precache": json.dumps(precache),
            "icon_url": json.dumps(static("webapp/icons/icon-192.png")),
            "badge_url": json.dumps(static("webapp/icons/badge-96.png")),
            "default_url": json.dumps("/workspace/"),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker at most daily anyway; never let a cache keep it longer.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "webapp/offline.html", {"theme_color": THEME_COLOR})


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _agent_or_403(request: HttpRequest) -> Any:
    return getattr(request.user, "agent", None)


@require_POST
@login_required
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """This browser's PushSubscription.toJSON(), posted by the profile page (session + CSRF).

    The same service as the app API's POST /api/v1/agent/push-subscriptions, which needs a
    device token the web session does not have.
    """
    agent = _agent_or_403(request)
    if agent is None:
        return JsonResponse(
            {"message": _("Only agents can receive app notifications.")}, status=403
        )
    data = _json_body(request)
    keys = data.get("keys")
    if not isinstance(keys, dict):
        keys = {}
    try:
        subscription = add_push_subscription(
            agent=agent,
            now=timezone.now(),
            channel=Channel.WEB,
            endpoint=str(data.get("endpoint", ""))[:1000],
            p256dh=str(keys.get("p256dh", ""))[:200],
            auth=str(keys.get("auth", ""))[:100],
            user_agent=request.headers.get("User-Agent", ""),
        )
    except SettingError as exc:
        return JsonResponse({"message": exc.message, "field": exc.field}, status=422)
    return JsonResponse({"id": subscription.pk}, status=201)


@require_POST
@login_required
def push_unsubscribe(request: HttpRequest) -> HttpResponse:
    agent = _agent_or_403(request)
    if agent is None:
        return JsonResponse(
            {"message": _("Only agents can receive app notifications.")}, status=403
        )
    removed = remove_push_subscription(
        agent=agent,
        now=timezone.now(),
        channel=Channel.WEB,
        endpoint=str(_json_body(request).get("endpoint", "")),
    )
    return JsonResponse({"removed": removed})
