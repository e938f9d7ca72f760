"""Text delivery truth: a text sent through Twilio asks for status reports, and the signed
reports Twilio posts back record whether it reached the phone; a number the carrier says
takes no texts gets none again, and the agent's email still goes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.delivery_reports import record_delivery_report
from agentmatch.notifications.models import (
    AttemptOutcome,
    Channel,
    DeliveryStatus,
    Message,
    MessageStatus,
    UndeliverablePhone,
)
from agentmatch.notifications.outbox import enqueue
from agentmatch.notifications.tests.stubs import SmtpServer, TwilioStub
from agentmatch.notifications.twilio_signing import twilio_signature
from agentmatch.notifications.undeliverable import mark, phone_hash, undeliverable
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

PHONE = "+16085550123"
CALLBACK = "https://agentmatch.example/n/sms/status"


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWILIO_STATUS_CALLBACK_URL = CALLBACK


def send_text(to: str = PHONE, *, now=None) -> Message:  # type: ignore[no-untyped-def]
    now = now or timezone.now()
    message = enqueue(channel=Channel.SMS, to=to, kind="test_text", now=now, body="Hello")
    assert message is not None
    assert deliver_one(now + timedelta(milliseconds=5))
    message.refresh_from_db()
    return message


def report(client: Client, params: dict[str, str], *, token: str = TwilioStub.TOKEN):  # type: ignore[no-untyped-def]
    signature = twilio_signature(url=CALLBACK, params=params.items(), auth_token=token)
    return client.post("/n/sms/status", params, HTTP_X_TWILIO_SIGNATURE=signature)


def status(sid: str, value: str, code: str | None = None) -> dict[str, str]:
    params = {"MessageSid": sid, "MessageStatus": value, "AccountSid": TwilioStub.SID}
    if code is not None:
        params["ErrorCode"] = code
    return params


def test_a_text_records_twilios_sid_and_asks_for_status_reports(twilio: TwilioStub) -> None:
    message = send_text()
    [text] = twilio.texts
    assert text.status_callback == CALLBACK
    assert message.status == MessageStatus.SENT
    assert message.provider_id == text.sid and text.sid.startswith("SM")
    assert message.delivery_status == DeliveryStatus.UNKNOWN


def test_an_empty_callback_setting_asks_for_no_reports(twilio: TwilioStub, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWILIO_STATUS_CALLBACK_URL = ""
    message = send_text()
    assert message.status == MessageStatus.SENT
    assert twilio.texts[0].status_callback == ""
    # And the door takes no reports at all, however they are signed.
    params = status(message.provider_id, "undelivered", "30005")
    signature = twilio_signature(url="", params=params.items(), auth_token=TwilioStub.TOKEN)
    client = Client()
    response = client.post("/n/sms/status", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403


def test_a_signed_report_records_the_delivery(twilio: TwilioStub, client: Client) -> None:
    message = send_text()
    response = report(client, status(message.provider_id, "delivered"))
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert message.delivery_error_code is None
    assert message.delivery_reported_at is not None


@pytest.mark.parametrize("signature", ["", "forged", "RSOYDt4T1cUTdK1PDd93/VVr8B8="])
def test_an_unsigned_or_forged_report_is_refused_and_changes_nothing(
    twilio: TwilioStub, client: Client, signature: str
) -> None:
    message = send_text()
    params = status(message.provider_id, "undelivered", "30005")
    response = client.post("/n/sms/status", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.UNKNOWN
    assert not UndeliverablePhone.objects.exists()


def test_a_report_signed_with_another_token_or_for_another_url_is_refused(
    twilio: TwilioStub, client: Client
) -> None:
    message = send_text()
    params = status(message.provider_id, "undelivered", "30005")
    assert report(client, params, token="someone-elses-token").status_code == 403
    signature = twilio_signature(
        url="https://elsewhere.example/n/sms/status", params=params.items(), auth_token="t"
    )
    response = client.post("/n/sms/status", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert not UndeliverablePhone.objects.exists()


def test_a_late_sent_after_delivered_does_not_move_the_state_back(
    twilio: TwilioStub, client: Client
) -> None:
    message = send_text()
    for value in ("sent", "delivered", "sent", "queued", "sending"):
        assert report(client, status(message.provider_id, value)).status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED


def test_a_repeated_report_is_harmless(twilio: TwilioStub, client: Client) -> None:
    message = send_text()
    params = status(message.provider_id, "undelivered", "30003")
    assert report(client, params).status_code == 200
    first = UndeliverablePhone.objects.get()
    assert report(client, params).status_code == 200
    again = UndeliverablePhone.objects.get()
    assert (again.pk, again.last_failed_at) == (first.pk, first.last_failed_at)


def test_undelivered_30003_marks_the_number_and_the_next_text_to_it_is_not_sent(
    twilio: TwilioStub, client: Client
) -> None:
    message = send_text()
    assert report(client, status(message.provider_id, "undelivered", "30003")).status_code == 200
    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_error_code) == ("undelivered", 30003)
    assert undeliverable(PHONE) is not None
    # The table holds no phone number, only its hash.
    assert UndeliverablePhone.objects.get().phone_hash == phone_hash(PHONE)
    assert PHONE not in str(list(UndeliverablePhone.objects.values()))

    second = send_text()
    assert len(twilio.texts) == 1  # nothing more reached Twilio
    assert second.status == MessageStatus.FAILED
    assert second.last_error == (
        "texts to this number are not delivered (code 30003: unreachable phone)"
    )
    [attempt] = second.delivery_attempts.all()
    assert attempt.outcome == AttemptOutcome.PERMANENT
    # Other numbers still get their texts.
    send_text("+16085550124")
    assert len(twilio.texts) == 2


def test_the_agent_still_gets_the_email_when_texts_to_their_number_fail(
    twilio: TwilioStub, smtp: SmtpServer, plan_year
) -> None:  # type: ignore[no-untyped-def]
    from agentmatch.notifications.messages import to_agent

    agent = make_agent(zip_code="53703", licensed=["WI"], contact_method="email_text")
    now = timezone.now()
    mark(phone=agent.cell_phone, code=30005, now=now)
    to_agent(agent=agent, kind="test_text", event="e1", context={}, now=now)
    # test_text has no email renderer; give both rows words directly.
    Message.objects.update(body="Hi", subject="Hi", context={})
    while deliver_one(now + timedelta(seconds=1)):
        pass
    assert len(smtp.inbox.messages) == 1
    assert twilio.texts == []
    sms = Message.objects.get(channel=Channel.SMS)
    assert sms.status == MessageStatus.FAILED and "code 30005" in sms.last_error


def test_a_failure_that_is_not_the_numbers_fault_marks_nothing(
    twilio: TwilioStub, client: Client
) -> None:
    message = send_text()
    # 30007: filtered as spam (our words, not their number).
    assert report(client, status(message.provider_id, "undelivered", "30007")).status_code == 200
    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_error_code) == ("undelivered", 30007)
    assert not UndeliverablePhone.objects.exists()


def test_twilio_refusing_an_unsubscribed_number_marks_it_at_once(twilio: TwilioStub) -> None:
    twilio.fail("unsubscribed", times=1)
    message = send_text()
    assert message.status == MessageStatus.FAILED
    assert undeliverable(PHONE).error_code == 21610  # type: ignore[union-attr]
    send_text()
    assert twilio.texts == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"MessageSid": "SMx"},
        {"MessageStatus": "delivered"},
        {"MessageSid": "SMnone", "MessageStatus": "delivered"},
        {"MessageSid": "SMx", "MessageStatus": "read"},
        {"MessageSid": "SMx", "MessageStatus": "undelivered", "ErrorCode": "x" * 50},
        {"MessageSid": "SMx", "MessageStatus": "undelivered", "ErrorCode": "99999999999999"},
        {"MessageSid": "S" * 300, "MessageStatus": "failed"},
        {"MessageSid": "SMx", "MessageStatus": "failed", "ErrorCode": "-1"},
    ],
)
def test_odd_signed_input_never_fails_the_server(
    twilio: TwilioStub, client: Client, params: dict[str, str]
) -> None:
    message = send_text()
    params = {k: v.replace("SMx", message.provider_id) for k, v in params.items()}
    response = report(client, params)
    assert response.status_code in (200, 400)
    assert not UndeliverablePhone.objects.exists()


def test_only_a_post_is_answered(client: Client) -> None:
    assert client.get("/n/sms/status").status_code == 405


def test_a_report_about_a_failed_delivery_keeps_the_code_only_then() -> None:
    # The action refuses to store an error code on a state that is not a failure.
    message = Message.objects.create(
        channel=Channel.SMS,
        to=PHONE,
        kind="x",
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        provider_id="SMabc",
    )
    outcome = record_delivery_report(
        provider_id="SMabc", status="sent", error_code=30003, now=timezone.now()
    )
    assert outcome.recorded and not outcome.number_marked
    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_error_code) == ("sent", None)


@pytest.mark.django_db(transaction=True)
def test_twilio_reports_over_http_to_the_live_site(
    twilio: TwilioStub, live_server, settings
) -> None:  # type: ignore[no-untyped-def]
    """The whole exchange on loopback: our worker posts the text to the Twilio stub with a
    StatusCallback; the stub posts its signed reports to that URL on the running site."""
    settings.TWILIO_STATUS_CALLBACK_URL = f"{live_server.url}/n/sms/status"
    message = send_text()
    [text] = twilio.texts
    assert text.status_callback == f"{live_server.url}/n/sms/status"
    assert twilio.report(text, "sent") == (200, "Recorded.")
    assert twilio.report(text, "undelivered", 30005) == (200, "Recorded.")
    assert twilio.report(text, "sent")[0] == 200  # late, out of order
    assert twilio.report(text, "delivered", token="forged")[0] == 403
    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_error_code) == ("undelivered", 30005)
    assert undeliverable(PHONE).error_code == 30005  # type: ignore[union-attr]
    assert send_text().status == MessageStatus.FAILED
    assert len(twilio.texts) == 1
