"""Who may use the support pages: active operators and administrators, nobody else.

Operators (support) see and help; only administrators change the service itself
(intake, plan years, imports, the outbox, operator accounts): `administrator_required`.
Both decorators show the pages' times in the operator's own time zone.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from agentmatch.core.time_zones import zone_named

View = Callable[..., HttpResponseBase]


def is_operator(user: Any) -> bool:
    # User.is_operator: active, and role operator or administrator.
    return bool(user.is_authenticated and getattr(user, "is_operator", False))


def is_administrator(user: Any) -> bool:
    return bool(is_operator(user) and user.role == "administrator")


def operator_time_zone(user: Any) -> ZoneInfo:
    """The zone the operator chose (`User.time_zone`), else the service's default."""
    return zone_named(getattr(user, "time_zone", "") or settings.OPERATOR_TIME_ZONE)


def _guarded(view: View, allowed: Callable[[Any], bool]) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not allowed(request.user):
            # An operator is told who may; anyone else that these pages are support's.
            who = "administrators" if is_operator(request.user) else "operators"
            return render(request, "operations/forbidden.html", {"who": who}, status=403)
        # Every time the page renders (|date, |when) is in the operator's zone.
        with timezone.override(operator_time_zone(request.user)):
            return view(request, *args, **kwargs)

    return wrapper


def operator_required(view: View) -> View:
    """Anonymous visitors go to the login page; signed-in non-operators get a 403 page."""
    return _guarded(view, is_operator)


def administrator_required(view: View) -> View:
    """Like operator_required, but operators (support) get the 403 page too."""
    return _guarded(view, is_administrator)
