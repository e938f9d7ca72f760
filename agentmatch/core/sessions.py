"""Django's session middleware, except for what a browser fetches on its own.

Sessions are saved on every request (SESSION_SAVE_EVERY_REQUEST: the idle timeout). The
service worker's update check (/app/sw.js, fetched by the browser at any time, also while
the agent signs out in another tab) would then extend the idle timeout without the agent
doing anything, and fail with "session interrupted" (400) when a sign-out deleted the
session meanwhile. Its answer does not depend on who asks, so it leaves the session alone.
"""

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse

# URL names (namespace:name) whose requests neither save nor refresh the session.
LEAVE_THE_SESSION = frozenset({"webapp:service_worker"})


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in LEAVE_THE_SESSION:
            return response
        return super().process_response(request, response)
