"""Who may use the support pages: active operators and administrators, nobody else."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

View = Callable[..., HttpResponseBase]


def is_operator(user: Any) -> bool:
    # User.is_operator: active, and role operator or administrator.
    return bool(user.is_authenticated and getattr(user, "is_operator", False))


def operator_required(view: View) -> View:
    """Anonymous visitors go to the login page; signed-in non-operators get a 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_operator(request.user):
            return render(request, "operations/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
