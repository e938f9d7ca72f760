"""`agentmatch notification-stats` reports per channel what happened and how fast."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.management.commands.notification_stats import percentile
from agentmatch.notifications.models import Channel, DeliveryAttempt, Message
from agentmatch.notifications.outbox import enqueue
from agentmatch.notifications.tests.stubs import TwilioStub

pytestmark = pytest.mark.django_db


def test_the_stats_show_counts_failure_rate_and_latency_per_channel(
    twilio: TwilioStub, settings
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    now = timezone.now()
    for i in range(3):
        enqueue(channel=Channel.SMS, to=f"+1608555000{i}", kind="offer_new", now=now, body="x")
    enqueue(channel=Channel.EMAIL, to="a@example.com", kind="invitation", now=now)
    enqueue(channel=Channel.SMS, to="+16085559999", kind="offer_new", now=now, body="x")
    twilio.recover()
    for _ in range(3):
        deliver_one(now + timedelta(seconds=2))
    twilio.fail("invalid_number")
    deliver_one(now + timedelta(seconds=2))  # the fourth text fails for good
    deliver_one(now + timedelta(seconds=2))  # the email
    # The carrier's later reports on two of the three texts Twilio took.
    texts = Message.objects.filter(channel="sms", status="sent").order_by("pk")
    Message.objects.filter(pk=texts[0].pk).update(delivery_status="delivered")
    Message.objects.filter(pk=texts[1].pk).update(delivery_status="undelivered")
    out = StringIO()
    call_command("notification_stats", "--since", "1", stdout=out)
    lines = {line.split()[0]: line.split() for line in out.getvalue().splitlines()[2:]}
    # channel messages sent failed suppressed pending fail% p50 p99
    assert lines["sms"][:7] == ["sms", "4", "3", "1", "0", "0", "25.0"]
    assert lines["email"][:7] == ["email", "1", "1", "0", "0", "0", "0.0"]
    assert lines["push"][:7] == ["push", "0", "0", "0", "0", "0", "-"]
    latencies = sorted(
        DeliveryAttempt.objects.filter(channel="sms", outcome="sent").values_list(
            "latency_ms", flat=True
        )
    )
    assert lines["sms"][7] == str(latencies[1]) and int(lines["sms"][7]) >= 2000
    assert lines["sms"][9] == str(latencies[2])
    assert lines["sms"][11:] == ["1", "1"]  # delivered, not delivered
    assert lines["email"][-2:] == ["0", "0"]


def test_the_stats_refuse_a_non_positive_window() -> None:
    with pytest.raises(CommandError, match="--since"):
        call_command("notification_stats", "--since", "0")


def test_percentiles_use_the_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([7], 99) == 7
    assert percentile([], 50) is None
