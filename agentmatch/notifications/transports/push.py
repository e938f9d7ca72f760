"""Web Push with VAPID (RFC 8030/8291/8292) through pywebpush; payload encrypted aes128gcm.

A batch's pushes go over one kept-alive connection per sending thread (http_sessions.py)."""

import json
import threading
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from agentmatch.notifications.models import Message, PushSubscription
from agentmatch.notifications.transports import Transport, TransportError
from agentmatch.notifications.transports.http_sessions import ThreadSessions


class SubscriptionGone(TransportError):
    """The push service says the subscription no longer exists (404/410): forget it."""

    def __init__(self, message: str, subscription_id: int) -> None:
        super().__init__(message, permanent=True)
        self.subscription_id = subscription_id


# How long a push service keeps trying a notification that is not about an offer.
DEFAULT_TTL_SECONDS = 15 * 60


def time_to_live(message: Message, deadline: datetime | None = None) -> int:
    """Seconds the push service may hold the notification for a phone that is offline.

    An offer's alert is worth delivering only until that offer's own deadline (shorter
    than 15 minutes with the adaptive window); after it, the push service drops it.
    `deadline`: the offer's, when the caller has read it already."""
    if deadline is None and message.offer_id is not None:
        deadline = message.offer.expires_at if message.offer else None
    if deadline is None:
        return DEFAULT_TTL_SECONDS
    left = (deadline - timezone.now()).total_seconds()
    return max(0, int(left))


class PushTransport(Transport):
    def __init__(self) -> None:
        # Read by prepare() for a batch; a transport not prepared reads them per send.
        self.prepared = False
        self.subscriptions: dict[int, PushSubscription] = {}
        self.deadlines: dict[int, datetime] = {}  # offer id -> the offer's expires_at
        self.sessions = ThreadSessions()
        self._key: Vapid | None = None
        self._key_lock = threading.Lock()

    def _vapid_key(self) -> Vapid:
        # Parsed once per batch, not per push (webpush() would also look for a file by
        # the key's name first).
        with self._key_lock:
            if self._key is None:
                self._key = Vapid.from_string(private_key=settings.VAPID_PRIVATE_KEY)
            return self._key

    def prepare(self, messages: list[Message]) -> None:
        """The batch's subscriptions and offer deadlines, in two queries."""
        ids = {_int(m.to) for m in messages}
        self.subscriptions = {s.pk: s for s in PushSubscription.objects.filter(pk__in=ids)}
        # The offer model through the foreign key: referrals sits above this app.
        offers = Message._meta.get_field("offer").related_model._default_manager
        wanted = {m.offer_id for m in messages if m.offer_id is not None}
        self.deadlines = dict(offers.filter(pk__in=wanted).values_list("pk", "expires_at"))
        for offer_id in wanted - self.deadlines.keys():
            self.deadlines[offer_id] = timezone.now()  # the offer is gone: worth nothing
        self.prepared = True

    def _subscription(self, message: Message) -> PushSubscription | None:
        if self.prepared:
            return self.subscriptions.get(_int(message.to))
        return PushSubscription.objects.filter(pk=_int(message.to)).first()

    def _time_to_live(self, message: Message) -> int:
        if self.prepared and message.offer_id is not None:
            return time_to_live(message, self.deadlines[message.offer_id])
        return time_to_live(message)

    def send(self, message: Message) -> str:
        if not (settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY):
            raise TransportError("VAPID keys not configured", permanent=True)
        subscription = self._subscription(message)
        if subscription is None:
            raise TransportError("push subscription no longer exists", permanent=True)
        payload = message.payload or {"title": message.subject, "body": message.body}
        try:
            response = webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=json.dumps(payload),
                vapid_private_key=self._vapid_key(),
                # webpush() adds aud/exp to this dict: a fresh one every time.
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                timeout=settings.NOTIFY_HTTP_TIMEOUT_SECONDS,
                ttl=self._time_to_live(message),
                requests_session=self.sessions.session(),
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            detail = f"push service {status}: {exc.message}"[:500]
            if status in (404, 410):
                raise SubscriptionGone(detail, subscription.pk) from exc
            temporary = status is None or status == 429 or status >= 500
            raise TransportError(detail, permanent=not temporary) from exc
        except OSError as exc:
            # requests' errors (connection refused, timeout) are OSErrors too.
            raise TransportError(f"push service unreachable: {exc!r}") from exc
        except ValueError as exc:
            # Malformed keys stored for this subscription or in the settings.
            raise TransportError(f"cannot encrypt or sign: {exc}", permanent=True) from exc
        return str(getattr(response, "headers", {}).get("Location", ""))

    def close(self) -> None:
        self.sessions.close()


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
