"""Session rules that hold on every page: an absolute lifetime, and agents who have not
accepted the CMS Agents and Brokers Terms of Use see them first."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

LOGGED_IN_AT = "logged_in_at"


def remember_login_time(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: every login (password, passkey) starts a new lifetime."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """Ends a browser session SESSION_MAX_HOURS after its login, however busy it was.

    The idle timeout (SESSION_IDLE_MINUTES) alone would let a session that is used every
    few minutes live for ever; this bounds what a stolen session cookie is worth.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(LOGGED_IN_AT)
            if not isinstance(started, int):
                # A session from before this rule: its lifetime starts now.
                request.session[LOGGED_IN_AT] = int(time.time())
            elif time.time() - started > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


# Pages an agent can reach before accepting: the terms page itself, logout, static files,
# and the end of sign-up ("almost complete") with the installable app and its notifications.
_ALLOWED_PREFIXES = (
    "/accounts/terms/",
    "/accounts/logout/",
    "/accounts/register/",
    "/app/",
    "/static/",
    "/i18n/",
    "/api/",
    # What the footer links to: what is done with their data, and who runs the service.
    "/privacy/",
    "/accessibility/",
    "/about/",
)


class TermsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "agent_id", None)
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and request.session.get("cms_terms_ok") is not True
        ):
            from agentmatch.accounts.terms import has_accepted

            if has_accepted(user=user, document="cms"):
                request.session["cms_terms_ok"] = True
            else:
                return redirect("accounts:cms_terms")
        return self.get_response(request)
