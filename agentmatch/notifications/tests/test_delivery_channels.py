"""Each channel's transport hands a message to a real peer on loopback."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.core.jobs import run_due_jobs
from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageStatus,
    PushSubscription,
)
from agentmatch.notifications.outbox import enqueue
from agentmatch.notifications.tests.stubs import (
    PushServiceStub,
    SmtpServer,
    TwilioStub,
)
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


def test_an_email_goes_through_the_smtp_server(smtp: SmtpServer, settings) -> None:
    now = timezone.now()
    message = enqueue(
        channel=Channel.EMAIL,
        to="pat@example.com",
        kind="offer_new",
        now=now,
        subject="New referral\n in 53703",
        body="A consumer in Madison, WI asks for help.\nAccept: https://x/a",
    )
    assert message is not None
    assert deliver_one(now + timedelta(milliseconds=5))
    [email] = smtp.inbox.messages
    assert email["To"] == "pat@example.com"
    assert email["From"] == settings.DEFAULT_FROM_EMAIL
    assert email["Subject"] == "New referral in 53703"
    payload = email.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "Accept: https://x/a" in payload.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_id == email["Message-ID"]
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.outcome == AttemptOutcome.SENT
    assert attempt.latency_ms >= 5


def test_a_text_goes_to_the_twilio_api_with_basic_auth(twilio: TwilioStub) -> None:
    now = timezone.now()
    message = enqueue(
        channel=Channel.SMS, to="+16085551234", kind="offer_new", now=now, body="New referral"
    )
    assert message is not None
    assert deliver_one(now)
    [text] = twilio.texts
    assert (text.to, text.sender, text.body) == ("+16085551234", TwilioStub.FROM, "New referral")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_id == text.sid
    assert DeliveryAttempt.objects.get(message=message).provider_id == text.sid


def test_wrong_twilio_credentials_keep_the_text_for_later(twilio: TwilioStub, settings) -> None:
    settings.TWILIO_AUTH_TOKEN = "wrong"
    now = timezone.now()
    message = enqueue(channel=Channel.SMS, to="+16085551234", kind="test_text", now=now, body="x")
    assert message is not None
    deliver_one(now)
    message.refresh_from_db()
    assert twilio.texts == []
    assert message.status == MessageStatus.PENDING
    assert "401" in message.last_error
    assert message.next_attempt_at > now


def test_a_push_payload_arrives_encrypted_and_decrypts_with_the_browser_keys(
    plan_year, push_service: PushServiceStub
) -> None:
    agent = make_agent(zip_code="53703")
    endpoint, keys = push_service.new_endpoint()
    now = timezone.now()
    subscription = PushSubscription.objects.create(
        agent=agent, endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth, created_at=now
    )
    payload = {"title": "New referral", "body": "Madison, WI · Spanish", "url": "https://x/a"}
    message = enqueue(
        channel=Channel.PUSH,
        to=str(subscription.pk),
        kind="offer_new",
        now=now,
        body=payload["body"],
        payload=payload,
        agent=agent,
    )
    assert message is not None
    assert deliver_one(now)
    assert push_service.rejected == []
    [push] = push_service.pushes
    assert push.payload == payload
    assert push.ttl == str(15 * 60)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_id.startswith(push_service.base_url + "/message/")
    subscription.refresh_from_db()
    assert subscription.last_success_at is not None


def test_the_file_sms_backend_writes_one_json_line_per_text(settings, tmp_path) -> None:
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    now = timezone.now()
    enqueue(channel=Channel.SMS, to="+16085551234", kind="test_text", now=now, body="Hola")
    assert deliver_one(now)
    [line] = (tmp_path / "sms.jsonl").read_text().splitlines()
    assert json.loads(line)["body"] == "Hola"
    assert Message.objects.get().status == MessageStatus.SENT


def test_the_routing_worker_delivers_messages_too(smtp: SmtpServer) -> None:
    now = timezone.now()
    enqueue(channel=Channel.EMAIL, to="a@example.com", kind="invitation", now=now, subject="Hi")
    run_due_jobs(now=now)
    assert len(smtp.inbox.messages) == 1
    assert Message.objects.get().status == MessageStatus.SENT
