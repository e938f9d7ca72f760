"""A push notification about an offer lives only until that offer's deadline: a phone that
comes back online later is not woken for an offer it can no longer answer. Sent for real
(VAPID-signed, encrypted) to a push service on loopback that records what it is told."""

import base64
import os
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from agentmatch.notifications.management.commands.vapid_keys import new_vapid_keys
from agentmatch.notifications.models import Channel, Message, PushSubscription
from agentmatch.notifications.transports.push import DEFAULT_TTL_SECONDS, PushTransport
from agentmatch.referrals.models import Offer
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


class PushService(BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        PushService.received.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def push_service():  # type: ignore[no-untyped-def]
    PushService.received = []
    server = HTTPServer(("127.0.0.1", 0), PushService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def vapid(settings):  # type: ignore[no-untyped-def]
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = new_vapid_keys()
    settings.VAPID_SUBJECT = "mailto:support@example.org"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subscribe(agent, endpoint: str) -> PushSubscription:  # type: ignore[no-untyped-def]
    browser_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = browser_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return PushSubscription.objects.create(
        agent=agent,
        endpoint=endpoint + "/push/1",
        p256dh=_b64(point),
        auth=_b64(os.urandom(16)),
        created_at=timezone.now(),
    )


def push_message(subscription: PushSubscription, offer: Offer | None) -> Message:
    now = timezone.now()
    return Message.objects.create(
        channel=Channel.PUSH,
        kind="offer_new" if offer else "test",
        to=str(subscription.pk),
        agent=subscription.agent,
        offer=offer,
        payload={"title": "New referral", "body": "Answer soon"},
        created_at=now,
        next_attempt_at=now,
    )


def test_an_offers_alert_lives_until_the_offers_own_deadline(plan_year, push_service, vapid):
    agent = make_agent(zip_code="53703", licensed=["WI"])
    offer = Offer.objects.get(referral=make_referral(zip_code="53703"))
    # A window the adaptive rule shortened to five minutes.
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() + timedelta(minutes=5))
    subscription = subscribe(agent, push_service)
    PushTransport().send(push_message(subscription, Offer.objects.get(pk=offer.pk)))
    (headers,) = PushService.received
    assert 280 <= int(headers["ttl"]) <= 300
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")


def test_other_alerts_keep_fifteen_minutes(plan_year, push_service, vapid):
    subscription = subscribe(make_agent(zip_code="53703", licensed=["WI"]), push_service)
    PushTransport().send(push_message(subscription, None))
    (headers,) = PushService.received
    assert int(headers["ttl"]) == DEFAULT_TTL_SECONDS == 900
