"""Headers every answer carries: no caching of personal details, and no browser features
the site does not use.

Cache-Control: any dynamic answer may carry a consumer's name and phone or a secret (a
status token, a one-tap link, a CSRF token), so each gets `no-store` unless its view chose
its own caching (the web app manifest and service worker do, and hold nothing personal).
Answers that can carry consumer details or secrets get `no-store` whatever their view
said: every answer to a signed-in person, everything under /api/ (the status token, the
consumer's details for an agent), the consumer's /request/ and /status/ pages, the /n/
one-tap links, /accounts/ (reset and sign-up links) and the support pages under /ops/.
Static files (WhiteNoise, below this middleware) keep their long-lived caching. The one
exception under /api/ is the public directory (`/api/v1/directory`): it holds only what
agents chose to publish, and chooses its own short caching.

Permissions-Policy: settings.PERMISSIONS_POLICY, on every answer, static files included.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

PRIVATE_PREFIXES = (
    "/api/",
    "/request/",
    "/status/",
    "/n/",
    "/accounts/",
    "/ops/",
    "/workspace/",
    "/availability/",
)


class PrivacyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}={allow}" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if _is_private(request):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        elif not request.path.startswith(str(settings.STATIC_URL)):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# Public answers under a private prefix: nothing in them is personal or secret.
PUBLIC_PATHS = ("/api/v1/directory",)


def _is_private(request: HttpRequest) -> bool:
    if request.path in PUBLIC_PATHS:
        return False
    if request.path.startswith(PRIVATE_PREFIXES):
        return True
    user = getattr(request, "user", None)  # absent when WhiteNoise answered
    return bool(user is not None and user.is_authenticated)
