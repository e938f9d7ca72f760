"""Agents who have not accepted the CMS Agents and Brokers Terms of Use see them first."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Pages an agent can reach before accepting: the terms page itself, logout, static files.
_ALLOWED_PREFIXES = ("/accounts/terms/", "/accounts/logout/", "/static/", "/i18n/", "/api/")


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
