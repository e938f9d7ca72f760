"""The outbox page: administrators see failed and waiting messages with masked recipients,
each channel's health, and send failed messages again or cancel waiting ones (audited);
what cannot be sent again is refused with the reason, and nothing changes."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.models import User
from agentmatch.notifications import resending
from agentmatch.notifications.delivery import claim_one, deliver_one
from agentmatch.notifications.health import channel_health
from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    Message,
    MessageStatus,
)
from agentmatch.notifications.tests.stubs import TwilioStub, twilio
from agentmatch.operations.models import ControlChange
from agentmatch.operations.outbox_actions import requeue_failed_messages
from agentmatch.operations.services import OperationError
from agentmatch.testing import make_operator

__all__ = ["twilio"]

pytestmark = pytest.mark.django_db

CONSUMER_PHONE = "+16085550199"


@pytest.fixture
def ada(plan_year) -> User:  # type: ignore[no-untyped-def]
    return make_operator(username="ada.admin", role="administrator")


@pytest.fixture
def admin_client(ada: User) -> Client:
    client = Client()
    client.force_login(ada)
    return client


def failed_message(
    *,
    channel: str = Channel.SMS,
    to: str = CONSUMER_PHONE,
    body: str = "Your request was received.",
    kind: str = "consumer_received",
    created_at: datetime | None = None,
    error: str = "",
) -> Message:
    now = created_at or timezone.now() - timedelta(minutes=30)
    return Message.objects.create(
        channel=channel,
        to=to,
        kind=kind,
        body=body,
        status=MessageStatus.FAILED,
        attempts=3,
        created_at=now,
        next_attempt_at=now,
        last_error=error or "provider unavailable",
    )


def pending_message(**fields) -> Message:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Message.objects.create(
        channel=fields.pop("channel", Channel.EMAIL),
        to=fields.pop("to", "lucia@example.com"),
        kind=fields.pop("kind", "invitation"),
        body=fields.pop("body", "Welcome"),
        created_at=now,
        next_attempt_at=now,
        **fields,
    )


# --- Send one message again ---------------------------------------------------------------


def test_a_failed_text_sent_again_goes_back_to_pending_and_the_worker_sends_it(
    admin_client: Client, twilio: TwilioStub
) -> None:
    message = failed_message()
    before = timezone.now()
    response = admin_client.post(f"/ops/outbox/{message.pk}/requeue/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.last_error == ""
    assert before <= message.next_attempt_at <= timezone.now()
    assert message.attempts == 3  # the claim's counter keeps growing: no attempt runs twice
    change = ControlChange.objects.get()
    assert (change.kind, change.subject) == ("message_requeued", f"message {message.pk}")
    assert change.operator.username == "ada.admin"
    assert CONSUMER_PHONE not in str(change.detail)

    assert deliver_one(timezone.now())
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert [t.to for t in twilio.texts] == [CONSUMER_PHONE]


def test_a_sent_message_is_not_sent_again(admin_client: Client) -> None:
    message = pending_message()
    Message.objects.filter(pk=message.pk).update(status="sent", sent_at=timezone.now())
    response = admin_client.post(f"/ops/outbox/{message.pk}/requeue/", follow=True)
    assert "Only a failed message can be sent again" in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert not ControlChange.objects.exists()


def test_a_message_whose_links_were_removed_is_refused_with_the_reason(
    admin_client: Client,
) -> None:
    message = failed_message(
        channel=Channel.EMAIL,
        to="lucia@example.com",
        body="Set your password: https://example.org/accounts/reset/[removed]",
        kind="password_reset",
    )
    detail = admin_client.get(f"/ops/outbox/{message.pk}/").content.decode()
    assert "links were removed" in detail and "Send this message again" not in detail
    response = admin_client.post(f"/ops/outbox/{message.pk}/requeue/", follow=True)
    assert "links were removed after it failed" in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert not ControlChange.objects.exists()


def test_a_message_about_an_offer_that_ended_is_not_sent_again(ada: User) -> None:
    from agentmatch.operations.outbox_actions import requeue_message
    from agentmatch.referrals.models import Offer
    from agentmatch.referrals.services import reject_offer
    from agentmatch.testing import make_agent, make_referral

    agent = make_agent(zip_code="53703", licensed=["WI"], npn="412345")
    referral = make_referral()
    offer = Offer.objects.get(referral=referral)
    message = failed_message(kind="offer_new")
    Message.objects.filter(pk=message.pk).update(offer=offer)
    reject_offer(offer_id=offer.pk, agent=agent, now=timezone.now())
    with pytest.raises(OperationError, match="no longer pending"):
        requeue_message(operator=ada, message_id=message.pk, now=timezone.now())
    assert Message.objects.get(pk=message.pk).status == MessageStatus.FAILED


# --- Send a channel's failed messages again -----------------------------------------------


def test_sending_a_channels_failed_messages_again_is_idempotent(ada: User) -> None:
    now = timezone.now()
    texts = [failed_message() for _ in range(3)]
    email = failed_message(channel=Channel.EMAIL, to="lucia@example.com")
    old = failed_message(created_at=now - timedelta(days=2))
    redacted = failed_message(body="Your status: https://x.org/status/abc/[removed]/")

    first = requeue_failed_messages(operator=ada, channel=Channel.SMS, now=now)
    assert sorted(first.resent) == sorted(m.pk for m in texts)
    assert first.refused == 0  # the redacted one is never a candidate
    with pytest.raises(OperationError, match="No failed message"):
        requeue_failed_messages(operator=ada, channel=Channel.SMS, now=now)

    statuses = dict(Message.objects.values_list("pk", "status"))
    assert [statuses[m.pk] for m in texts] == ["pending"] * 3
    for untouched in (email, old, redacted):
        assert statuses[untouched.pk] == "failed"
    assert Message.objects.count() == 6  # nothing copied
    assert set(Message.objects.values_list("attempts", flat=True)) == {3}
    change = ControlChange.objects.get()  # the second run wrote nothing
    assert change.kind == "messages_requeued"
    assert change.detail["count"] == 3 and change.detail["channel"] == "sms"


def test_sending_failed_messages_again_takes_a_bounded_batch(ada: User, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(resending, "RESEND_BATCH", 2)
    for _ in range(3):
        failed_message()
    now = timezone.now()
    assert len(requeue_failed_messages(operator=ada, channel="sms", now=now).resent) == 2
    assert len(requeue_failed_messages(operator=ada, channel="sms", now=now).resent) == 1
    assert not Message.objects.filter(status="failed").exists()


def test_the_page_sends_a_channels_failed_messages_again(admin_client: Client) -> None:
    failed_message()
    response = admin_client.post("/ops/outbox/requeue-failed/", {"channel": "sms"}, follow=True)
    assert "1 failed message is back in the outbox." in response.content.decode()
    assert Message.objects.get().status == MessageStatus.PENDING
    response = admin_client.post("/ops/outbox/requeue-failed/", {"channel": "fax"}, follow=True)
    assert "Choose a channel." in response.content.decode()


# --- Cancel ------------------------------------------------------------------------------


def test_an_administrator_cancels_a_waiting_message(admin_client: Client) -> None:
    message = pending_message()
    response = admin_client.post(f"/ops/outbox/{message.pk}/cancel/", follow=True)
    assert "will not be sent" in response.content.decode()
    message.refresh_from_db()
    assert message.status == MessageStatus.SUPPRESSED
    assert message.last_error == "canceled by ada.admin"
    assert ControlChange.objects.get().kind == "message_canceled"
    assert not deliver_one(timezone.now())


def test_a_message_being_sent_right_now_cannot_be_canceled(admin_client: Client) -> None:
    message = pending_message()
    assert claim_one(now=timezone.now()) is not None  # a worker is sending it
    response = admin_client.post(f"/ops/outbox/{message.pk}/cancel/", follow=True)
    assert "being sent right now" in response.content.decode()
    assert Message.objects.get(pk=message.pk).status == MessageStatus.PENDING
    assert not ControlChange.objects.exists()


def test_a_sent_message_cannot_be_canceled(admin_client: Client) -> None:
    message = pending_message()
    Message.objects.filter(pk=message.pk).update(status="sent", sent_at=timezone.now())
    response = admin_client.post(f"/ops/outbox/{message.pk}/cancel/", follow=True)
    assert "Only a message waiting to be sent can be canceled." in response.content.decode()
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT


# --- The page -----------------------------------------------------------------------------


def test_recipients_and_errors_never_show_a_whole_phone_or_email(admin_client: Client) -> None:
    text = failed_message(error=f"The 'To' number {CONSUMER_PHONE} is not a valid phone number")
    pending_message(to="lucia@example.com")
    page = admin_client.get("/ops/outbox/").content.decode()
    detail = admin_client.get(f"/ops/outbox/{text.pk}/").content.decode()
    for html in (page, detail):
        assert "+1 ***-***-0199" in html
        assert CONSUMER_PHONE not in html and "6085550199" not in html and "555-0199" not in html
    assert "l***@example.com" in page and "lucia@example.com" not in page


def test_the_list_filters_by_status_channel_kind_and_age(admin_client: Client) -> None:
    failed_message(kind="consumer_received")
    failed_message(kind="offer_new", created_at=timezone.now() - timedelta(days=3))
    pending_message(kind="invitation")
    Message.objects.create(
        channel="email", to="a@example.com", kind="invitation", status="sent",
        created_at=timezone.now(), next_attempt_at=timezone.now(), sent_at=timezone.now(),
    )  # fmt: skip

    def count(query: str) -> str:
        response = admin_client.get(f"/ops/outbox/?{query}")
        assert response.status_code == 200
        return response.context["page"].paginator.count

    assert count("") == 3  # failed or waiting, by default
    assert count("status=sent") == 1
    assert count("status=failed&channel=sms") == 2
    assert count("channel=email") == 1
    assert count("kind=offer_new") == 1
    assert count("age=24h") == 2
    assert admin_client.get("/ops/outbox/?age=forever").status_code == 400
    assert admin_client.get("/ops/outbox/?kind=DROP%20TABLE").status_code == 400


def test_each_channel_s_health_is_counted_from_the_messages_and_attempts(
    admin_client: Client,
) -> None:
    now = timezone.now()
    for minutes in (5, 90):
        message = pending_message(channel=Channel.SMS, to=CONSUMER_PHONE)
        made = now - timedelta(minutes=minutes)
        Message.objects.filter(pk=message.pk).update(created_at=made, next_attempt_at=made)
    message = pending_message()

    def attempt(channel: str, outcome: str, minutes_ago: float) -> None:
        at = now - timedelta(minutes=minutes_ago)
        DeliveryAttempt.objects.create(
            message=message, channel=channel, started_at=at, finished_at=at,
            outcome=outcome, latency_ms=0,
        )  # fmt: skip

    attempt("email", AttemptOutcome.SENT, 10)
    attempt("email", AttemptOutcome.SENT, 120)
    attempt("email", AttemptOutcome.PERMANENT, 30)
    attempt("email", AttemptOutcome.SENT, 60 * 30)  # outside 24 hours
    attempt("sms", AttemptOutcome.SENT, 50)
    attempt("sms", AttemptOutcome.TEMPORARY, 40)
    attempt("sms", AttemptOutcome.TEMPORARY, 20)
    attempt("sms", AttemptOutcome.PERMANENT, 60 * 5)

    health = {h.channel: h for h in channel_health(now)}
    email, sms, push = health["email"], health["sms"], health["push"]
    assert (email.pending, email.sent_hour, email.sent_day) == (1, 1, 2)
    assert (email.failed_hour, email.failed_day, email.failing) == (1, 1, False)
    assert email.last_success_at == now - timedelta(minutes=10)
    assert (sms.pending, sms.due, sms.oldest_pending_at) == (2, 2, now - timedelta(minutes=90))
    assert (sms.sent_hour, sms.failed_hour, sms.failed_day, sms.errors_hour) == (1, 0, 1, 2)
    assert sms.failures_since_success == 2 and sms.paused_until is None  # the pause is over
    assert (push.pending, push.sent_day, push.last_success_at) == (0, 0, None)

    page = admin_client.get("/ops/outbox/").content.decode()
    assert "2 errors since the last message sent." in page


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/ops/outbox/", "/ops/outbox/1/", "/ops/outbox/1/requeue/", "/ops/outbox/1/cancel/"]
)
def test_operators_and_agents_get_a_403_and_strangers_the_login(
    url: str, operator_client: Client, agent_client: Client
) -> None:
    message = failed_message()
    url = url.replace("/1/", f"/{message.pk}/")
    post = not url.endswith("/outbox/") and not url.endswith(f"/{message.pk}/")
    for client in (operator_client, agent_client):
        response = client.post(url) if post else client.get(url)
        assert response.status_code == 403
    response = Client().post(url) if post else Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    all_texts = {"channel": "sms"}
    assert operator_client.post("/ops/outbox/requeue-failed/", all_texts).status_code == 403
    assert Message.objects.get().status == MessageStatus.FAILED
    assert not ControlChange.objects.exists()


def test_the_controls_page_leads_to_the_outbox(admin_client: Client) -> None:
    page = admin_client.get("/ops/controls/").content.decode()
    assert 'href="/ops/outbox/"' in page


def test_a_provider_failing_right_now_shows_the_workers_pause(
    admin_client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_CHANNEL_PAUSE_SECONDS = 2
    now = timezone.now()
    message = pending_message(channel=Channel.PUSH, to="7")
    # Six temporary failures in a row: the longest pause (2 s doubled five times, capped).
    for seconds_ago in (90, 80, 60, 40, 20, 1):
        at = now - timedelta(seconds=seconds_ago)
        DeliveryAttempt.objects.create(
            message=message, channel="push", started_at=at, finished_at=at,
            outcome=AttemptOutcome.TEMPORARY, latency_ms=0,
        )  # fmt: skip
    push = {h.channel: h for h in channel_health(now)}["push"]
    assert push.failures_since_success == 6
    assert push.paused_until == now - timedelta(seconds=1) + timedelta(seconds=60)
    page = admin_client.get("/ops/outbox/").content.decode()
    assert "Workers skip this channel until" in page
