"""Web Push subscriptions of agents' browsers and installed apps."""

import base64
import binascii
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from agentmatch.agents.models import Agent
from agentmatch.notifications.models import PushSubscription

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class SubscriptionError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _b64url(value: str, field: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise SubscriptionError(field, f"{field} is not base64url") from exc


def check_subscription(*, endpoint: str, p256dh: str, auth: str) -> None:
    """Raises SubscriptionError naming the field unless this is a usable subscription."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    allowed = any(host == h or host.endswith("." + h) for h in settings.PUSH_SERVICE_HOSTS if h)
    if not allowed:
        raise SubscriptionError("endpoint", f"endpoint host {host or '?'} is not a push service")
    # Push services are HTTPS; plain HTTP only to a local test service.
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK):
        raise SubscriptionError("endpoint", "endpoint must be an https URL")
    key = _b64url(p256dh, "keys.p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except ValueError as exc:
        raise SubscriptionError("keys.p256dh", "keys.p256dh is not a P-256 public key") from exc
    if len(_b64url(auth, "keys.auth")) != 16:
        raise SubscriptionError("keys.auth", "keys.auth must be 16 bytes")


def subscribe(
    *, agent: Agent, endpoint: str, p256dh: str, auth: str, user_agent: str, now: datetime
) -> PushSubscription:
    """Stores (or refreshes) a browser's subscription for this agent."""
    check_subscription(endpoint=endpoint, p256dh=p256dh, auth=auth)
    # An endpoint is one browser profile: whoever subscribed it last receives its pushes.
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "agent": agent,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": user_agent[:300],
        },
        create_defaults={
            "agent": agent,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": user_agent[:300],
            "created_at": now,
        },
    )
    return subscription


def unsubscribe(*, agent: Agent, endpoint: str) -> bool:
    """Forgets this agent's subscription for the endpoint; False if there was none."""
    deleted, _ = PushSubscription.objects.filter(agent=agent, endpoint=endpoint).delete()
    return deleted > 0
