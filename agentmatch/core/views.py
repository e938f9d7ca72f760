"""Small site-wide pages: liveness and readiness, the language switch, and the pages every
page's footer links to (privacy policy, accessibility statement, about)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from agentmatch.core.heartbeat import readiness_problems


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
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the service can do its whole job: the database answers and a worker
    finished a loop within READY_WORKER_MAX_AGE_SECONDS; else 503 naming the reasons.
    (`/healthz` only asks whether this process and its database are alive.)"""
    problems = readiness_problems(timezone.now())
    if problems:
        return JsonResponse({"status": "unavailable", "reasons": problems}, status=503)
    return JsonResponse({"status": "ok"})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a logged-in person's choice is also kept on their account,
    so what we send them later (texts, emails) is in the language they read the site in."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        get_user_model().objects.filter(pk=request.user.pk).update(language=language)
    return response


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """What the service stores and why (linked from every page's footer)."""
    return render(
        request,
        "core/privacy.html",
        {
            "retention_days": settings.CONSUMER_DATA_RETENTION_DAYS,
            "status_link_days": settings.STATUS_TOKEN_DAYS,
        },
    )


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """How the pages are made usable by everyone, and where to report a barrier."""
    return render(request, "core/accessibility.html", {"help_desk": settings.HELP_DESK_EMAIL})


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """What AgentMatch is, how a request is handled, and who runs this copy of it."""
    return render(request, "core/about.html")
