"""Providers down, numbers invalid, subscriptions gone, offers moved on: nothing lost,
nothing sent twice, nothing sent that should not be."""

from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.notifications.delivery import breaker, claim_one, deliver_one, retry_delay
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
    free_port,
)
from agentmatch.referrals.services import reject_offer
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


def drain(now: datetime) -> int:
    """Runs the delivery job until nothing is due at `now`."""
    done = 0
    while deliver_one(now):
        done += 1
    return done


def outcomes(message: Message) -> list[str]:
    return list(message.delivery_attempts.order_by("pk").values_list("outcome", flat=True))


def test_an_smtp_outage_delays_mail_without_losing_or_repeating_it(settings) -> None:
    server = SmtpServer(port=free_port())  # not started: connection refused
    settings.MAILERS = server.mailers()
    now = timezone.now()
    for i in range(3):
        enqueue(channel=Channel.EMAIL, to=f"a{i}@example.com", kind="invitation", now=now)
    assert drain(now) == 3
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}
    assert all(m.next_attempt_at > now for m in Message.objects.all())
    later = now + timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
    assert drain(later) == 3  # still down at the second attempt
    server.start()
    try:
        finally_up = later + timedelta(hours=1)
        assert drain(finally_up) == 3
        assert drain(finally_up + timedelta(hours=1)) == 0
    finally:
        server.stop()
    assert sorted(m["To"] for m in server.inbox.messages) == [f"a{i}@example.com" for i in range(3)]
    for message in Message.objects.all():
        assert message.status == MessageStatus.SENT
        assert outcomes(message) == ["temporary", "temporary", "sent"]


def test_an_sms_provider_503_is_retried_with_growing_backoff_and_sent_once(
    twilio: TwilioStub, settings
) -> None:
    twilio.fail(503, times=3)
    now = timezone.now()
    message = enqueue(channel=Channel.SMS, to="+16085551234", kind="offer_new", now=now, body="x")
    assert message is not None
    clock, waits = now, []
    for _ in range(3):
        assert deliver_one(clock)
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING
        assert not deliver_one(clock)  # not due again right away
        waits.append((message.next_attempt_at - clock).total_seconds())
        clock = message.next_attempt_at
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    for attempt, wait in enumerate(waits, start=1):
        assert base * 2 ** (attempt - 1) / 2 <= wait <= base * 2 ** (attempt - 1) + 1
    assert deliver_one(clock)
    assert drain(clock + timedelta(days=1)) == 0
    assert len(twilio.texts) == 1
    assert twilio.requests == 4
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 4
    assert outcomes(message) == ["temporary"] * 3 + ["sent"]


def test_an_invalid_number_fails_at_once_without_retry(twilio: TwilioStub) -> None:
    twilio.fail("invalid_number")
    now = timezone.now()
    message = enqueue(channel=Channel.SMS, to="+10000000000", kind="offer_new", now=now, body="x")
    assert message is not None
    assert deliver_one(now)
    assert drain(now + timedelta(days=1)) == 0
    assert twilio.requests == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "21211" in message.last_error
    assert outcomes(message) == [AttemptOutcome.PERMANENT]


def test_a_message_gives_up_after_the_maximum_attempts(twilio: TwilioStub, settings) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 3
    twilio.fail(500)
    now = timezone.now()
    message = enqueue(channel=Channel.SMS, to="+16085551234", kind="offer_new", now=now, body="x")
    assert message is not None
    for day in range(5):
        drain(now + timedelta(days=day))
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert outcomes(message) == ["temporary", "temporary", "permanent"]
    assert twilio.requests == 3


def test_a_push_subscription_the_service_calls_gone_is_removed(
    plan_year, push_service: PushServiceStub
) -> None:
    agent = make_agent(zip_code="53703")
    endpoint, keys = push_service.new_endpoint()
    now = timezone.now()
    subscription = PushSubscription.objects.create(
        agent=agent, endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth, created_at=now
    )
    push_service.status_for[endpoint.removeprefix(push_service.base_url)] = 410
    message = enqueue(channel=Channel.PUSH, to=str(subscription.pk), kind="offer_new", now=now)
    assert message is not None
    assert deliver_one(now)
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "410" in message.last_error
    assert drain(now + timedelta(days=1)) == 0


def test_a_message_about_an_offer_no_longer_pending_is_suppressed(
    plan_year, smtp: SmtpServer
) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"])
    referral = make_referral()
    offer = referral.offers.get()
    Message.objects.all().delete()  # whatever the routing itself enqueued
    now = timezone.now()
    message = enqueue(channel=Channel.EMAIL, to=agent.email, kind="offer_new", now=now, offer=offer)
    missed = enqueue(
        channel=Channel.EMAIL, to=agent.email, kind="offer_missed", now=now, offer=offer
    )
    assert message is not None and missed is not None
    with transaction.atomic():
        reject_offer(offer_id=offer.pk, agent=agent, now=now)
    assert drain(now) == 2
    message.refresh_from_db()
    assert message.status == MessageStatus.SUPPRESSED
    assert outcomes(message) == [AttemptOutcome.SUPPRESSED]
    # A message about the offer having ended still goes out.
    missed.refresh_from_db()
    assert missed.status == MessageStatus.SENT
    assert len(smtp.inbox.messages) == 1


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_the_claim_runs_out(
    smtp: SmtpServer, settings
) -> None:
    now = timezone.now()
    message = enqueue(channel=Channel.EMAIL, to="a@example.com", kind="invitation", now=now)
    assert message is not None
    claim = claim_one(now=now)  # the worker crashes right after claiming
    assert claim is not None and claim.message.pk == message.pk
    assert drain(now + timedelta(seconds=settings.NOTIFY_CLAIM_SECONDS - 1)) == 0
    assert drain(now + timedelta(seconds=settings.NOTIFY_CLAIM_SECONDS)) == 1
    assert len(smtp.inbox.messages) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2


def test_a_sent_message_is_never_picked_again(smtp: SmtpServer) -> None:
    now = timezone.now()
    enqueue(channel=Channel.EMAIL, to="a@example.com", kind="invitation", now=now)
    assert drain(now) == 1
    Message.objects.update(next_attempt_at=now)  # even if it looks due
    assert drain(now + timedelta(days=30)) == 0
    assert len(smtp.inbox.messages) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_backoff_grows_and_is_capped(settings) -> None:
    settings.NOTIFY_RETRY_BASE_SECONDS = 10
    settings.NOTIFY_RETRY_MAX_SECONDS = 60
    assert 5 <= retry_delay(1).total_seconds() <= 10
    assert 20 <= retry_delay(3).total_seconds() <= 40
    assert 30 <= retry_delay(20).total_seconds() <= 60


def test_a_failing_provider_does_not_hold_up_the_other_channels(
    twilio: TwilioStub, smtp: SmtpServer, settings
) -> None:
    settings.NOTIFY_CHANNEL_PAUSE_SECONDS = 30
    twilio.fail(503)
    now = timezone.now()
    for i in range(3):
        enqueue(channel=Channel.SMS, to=f"+1608555000{i}", kind="offer_new", now=now, body="x")
    enqueue(channel=Channel.EMAIL, to="a@example.com", kind="offer_new", now=now)
    # One text fails; this worker then leaves texts alone and sends the email.
    assert drain(now) == 2
    assert twilio.requests == 1
    assert len(smtp.inbox.messages) == 1
    pending = Message.objects.filter(channel=Channel.SMS, status=MessageStatus.PENDING)
    assert pending.count() == 3
    assert pending.filter(attempts=0).count() == 2  # untouched, still due
    breaker.reset()  # the pause is over
    twilio.recover()
    assert drain(now + timedelta(hours=1)) == 3
    assert len(twilio.texts) == 3
