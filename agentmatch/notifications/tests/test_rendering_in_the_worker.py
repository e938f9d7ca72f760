"""Events store what a message is made from; the delivery worker writes the words."""

from django.utils import timezone

from agentmatch.agents.models import ContactMethod
from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.models import AttemptOutcome, Message, MessageStatus
from agentmatch.referrals.models import Offer, Referral
from agentmatch.testing import make_agent, make_referral


def test_intake_stores_the_messages_without_rendering_them(plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], contact_method=ContactMethod.EMAIL_TEXT)
    referral = make_referral(zip_code="53703")
    offer = Offer.objects.get(referral=referral)
    stored = list(Message.objects.order_by("pk"))
    assert {(m.kind, m.channel) for m in stored} == {
        ("consumer_received", "sms"),
        ("consumer_received", "email"),
        ("offer_new", "email"),
        ("offer_new", "sms"),
    }
    assert all(m.body == "" and m.subject == "" for m in stored)
    offer_messages = [m for m in stored if m.kind == "offer_new"]
    assert all(m.context["offer"] == offer.pk and m.agent_id == agent.pk for m in offer_messages)


def test_the_worker_renders_a_message_right_before_sending_and_forgets_the_context(
    plan_year, smtp
) -> None:
    make_agent(zip_code="53703", licensed=["WI"], contact_method=ContactMethod.EMAIL_ONLY)
    referral = make_referral(zip_code="53703")
    while deliver_one(timezone.now()):
        pass
    email = Message.objects.get(kind="offer_new", channel="email")
    assert email.status == MessageStatus.SENT
    assert email.context == {}
    assert "Madison" in email.body and referral.first_name not in email.body
    sent = [
        m.get_payload(decode=True).decode() for m in smtp.inbox.messages if not m.is_multipart()
    ]
    assert any("Madison" in body for body in sent)


def test_a_message_about_rows_that_are_gone_fails_for_good_without_stopping_the_worker(
    plan_year,
) -> None:
    make_referral(zip_code="53703")  # nobody to offer it to: only the consumer's messages
    assert Message.objects.filter(kind="consumer_received").count() == 2
    Message.objects.update(context={"event": "x", "offer": 999_999})
    Message.objects.update(kind="consumer_accepted")
    while deliver_one(timezone.now()):
        pass
    for message in Message.objects.all():
        assert message.status == MessageStatus.FAILED
        assert message.last_error == "the offer no longer exists"
        assert message.delivery_attempts.get().outcome == AttemptOutcome.PERMANENT
    assert Referral.objects.count() == 1


def test_the_worker_words_and_drops_a_kind_with_what_its_app_registered(
    plan_year, smtp, monkeypatch
) -> None:
    # The outbox knows no kind itself: an app registers the words and when a message is moot.
    from agentmatch.notifications import outbox, rendering

    monkeypatch.setattr(rendering, "RENDERERS", dict(rendering.RENDERERS))
    monkeypatch.setattr(outbox, "MOOT_CHECKS", list(outbox.MOOT_CHECKS))
    rendering.register_renderer(
        "greeting", lambda m: {"subject": "Hello", "body": f"Hi {m.context['name']}"}
    )
    outbox.register_moot_check(
        lambda batch: {m.pk: "asked not to" for m in batch if m.context.get("name") == "Bo"}
    )
    now = timezone.now()
    for name in ("Ana", "Bo"):
        Message.objects.create(
            channel="email",
            to=f"{name.lower()}@example.com",
            kind="greeting",
            context={"name": name},
            created_at=now,
            next_attempt_at=now,
        )
    while deliver_one(now):
        pass
    ana, bo = Message.objects.filter(kind="greeting").order_by("pk")
    assert (ana.status, ana.subject, ana.body) == (MessageStatus.SENT, "Hello", "Hi Ana")
    assert (bo.status, bo.last_error) == (MessageStatus.SUPPRESSED, "asked not to")
