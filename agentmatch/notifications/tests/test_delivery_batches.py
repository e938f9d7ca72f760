"""The delivery job takes the outbox a batch at a time: a batch costs the same statements
whatever its size, its emails share SMTP sessions and its texts and pushes kept-alive
connections, and a provider that fails costs one try, not one per message."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agentmatch.agents.models import ContactMethod
from agentmatch.notifications.delivery import breaker, deliver_due
from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageStatus,
    PushSubscription,
)
from agentmatch.notifications.tests.stubs import PushServiceStub, SmtpServer, TwilioStub
from agentmatch.referrals.models import OfferLink
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

# Per referral: the consumer's text and email, the agent's email, text and app notification.
MESSAGES_PER_REFERRAL = 5


def referrals_offered_to_agents_on_every_channel(count: int, push: PushServiceStub) -> None:
    """`count` referrals, each offered to its own agent who chose email, text and app."""
    now = timezone.now()
    first = PushSubscription.objects.count()  # one per agent made here: a fresh NPN each
    for i in range(first, first + count):
        agent = make_agent(
            zip_code="53703",
            licensed=["WI"],
            npn=f"9{i:06d}",
            contact_method=ContactMethod.EMAIL_TEXT_APP,
            languages=("en", "es") if i % 2 else ("en",),
        )
        endpoint, keys = push.new_endpoint()
        PushSubscription.objects.create(
            agent=agent, endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth, created_at=now
        )
    for _ in range(count):
        make_referral()


def statements_to_deliver(expected: int) -> list[str]:
    """The statements of one delivery batch, each by its first words."""
    assert Message.objects.filter(status=MessageStatus.PENDING).count() == expected
    with CaptureQueriesContext(connection) as statements:
        assert deliver_due(timezone.now() + timedelta(seconds=1), limit=100) == expected
    return [" ".join(q["sql"].split()[:6]) for q in statements.captured_queries]


def test_a_batch_of_six_referrals_messages_costs_the_statements_of_one(
    plan_year, smtp: SmtpServer, twilio: TwilioStub, push_service: PushServiceStub
) -> None:
    # A first batch warms what a process reads once (its caches), not measured.
    referrals_offered_to_agents_on_every_channel(1, push_service)
    statements_to_deliver(MESSAGES_PER_REFERRAL)
    referrals_offered_to_agents_on_every_channel(1, push_service)
    one = statements_to_deliver(MESSAGES_PER_REFERRAL)
    Message.objects.all().delete()
    OfferLink.objects.all().delete()
    twilio.texts.clear()
    push_service.pushes.clear()

    referrals_offered_to_agents_on_every_channel(6, push_service)
    six = statements_to_deliver(6 * MESSAGES_PER_REFERRAL)

    assert len(six) == len(one), "\n".join(sorted(set(six) ^ set(one)) or six)
    assert Message.objects.exclude(status=MessageStatus.SENT).count() == 0
    assert len(twilio.texts) == 2 * 6 and len(push_service.pushes) == 6
    # The one-tap links the batch's messages carry: accept and reject in the email and
    # the text, accept in the app notification.
    assert OfferLink.objects.count() == 5 * 6


def test_the_sends_of_a_batch_share_one_connection_per_sending_thread_on_every_channel(
    plan_year, smtp: SmtpServer, twilio: TwilioStub, push_service: PushServiceStub, settings
) -> None:
    settings.NOTIFY_SEND_THREADS = 2
    referrals_offered_to_agents_on_every_channel(6, push_service)

    deliver_due(timezone.now() + timedelta(seconds=1), limit=100)

    # Six consumers' and six agents' emails and texts, six app notifications: each over a
    # session or kept-alive connection per thread, not a TCP (in production, TLS)
    # handshake and an SMTP greeting each.
    assert len(smtp.inbox.messages) == 12
    assert len(twilio.texts) == 12 and len(push_service.pushes) == 6
    assert 1 <= smtp.inbox.sessions <= 2
    assert 1 <= twilio.connections <= 2
    assert 1 <= push_service.connections <= 2


def test_a_failing_provider_costs_one_try_the_rest_of_its_channel_waits_untouched(
    plan_year, smtp: SmtpServer, twilio: TwilioStub, push_service: PushServiceStub, settings
) -> None:
    settings.NOTIFY_SEND_THREADS = 1  # one send after another: the first text fails first
    settings.NOTIFY_CHANNEL_PAUSE_SECONDS = 30
    referrals_offered_to_agents_on_every_channel(3, push_service)
    texts = Message.objects.filter(channel=Channel.SMS).order_by("-attempts", "pk")
    due_before = {m.pk: m.next_attempt_at for m in texts}
    twilio.fail(503, times=1)
    now = timezone.now() + timedelta(seconds=1)

    assert deliver_due(now, limit=100) == 3 * MESSAGES_PER_REFERRAL

    failed, *waiting = texts.all()
    assert (failed.status, failed.attempts) == (MessageStatus.PENDING, 1)
    assert failed.delivery_attempts.get().outcome == AttemptOutcome.TEMPORARY
    for text in waiting:  # never tried: as they were before the batch
        assert (text.status, text.attempts) == (MessageStatus.PENDING, 0)
        assert text.next_attempt_at == due_before[text.pk]
        assert not text.delivery_attempts.exists()
    others = Message.objects.exclude(channel=Channel.SMS)
    assert set(others.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert len(twilio.texts) == 0

    # While the channel is paused no worker's batch takes the texts; after, they all go.
    assert deliver_due(now, limit=100) == 0
    breaker.reset()
    assert deliver_due(now + timedelta(hours=1), limit=100) == 6
    assert len(twilio.texts) == 6
    assert DeliveryAttempt.objects.filter(channel=Channel.SMS, outcome="sent").count() == 6
