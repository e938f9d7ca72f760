"""Who is asking: the client's address, as far as our own proxies vouch for it."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The TCP peer, or with TRUSTED_PROXY_HOPS = n the n-th X-Forwarded-For entry from the
    end (the one our outermost proxy saw). Entries before it are the client's own claims."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    return forwarded[-hops] if len(forwarded) >= hops else peer
