"""Who may read `/metrics`: not the public.

With METRICS_TOKEN set, a request must carry `Authorization: Bearer <METRICS_TOKEN>`
(compared in constant time, through hashes, so neither its content nor its length shows
in the time the answer takes). Without it, only a request made directly from this
machine: the TCP peer is a loopback address and no proxy forwarded it (no
X-Forwarded-For, Forwarded or X-Real-IP header: a reverse proxy on the same machine would
otherwise make every visitor look local). `check --deploy` warns while METRICS_TOKEN is
unset (agentmatch.W005) or short (agentmatch.W006).
"""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from agentmatch.core.secrets import hash_secret

_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def refusal(request: HttpRequest) -> HttpResponse | None:
    """None if `request` may read the metrics, else the answer to give instead."""
    expected = settings.METRICS_TOKEN
    if expected:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            hash_secret(given.strip()), hash_secret(expected)
        ):
            return None
        response = HttpResponse("A valid bearer token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    direct = not any(request.META.get(h) for h in _FORWARDING_HEADERS)
    if direct and _is_loopback(str(request.META.get("REMOTE_ADDR", ""))):
        return None
    return HttpResponse(
        "Metrics are served to this machine only; set METRICS_TOKEN to scrape from elsewhere.\n",
        status=403,
    )
