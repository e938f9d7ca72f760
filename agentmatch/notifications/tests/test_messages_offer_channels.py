"""A new offer reaches the agent by exactly the channels they chose, in their language and
time zone, without the consumer's contact details; an expired offer says "you missed it"."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from agentmatch.agents.models import Agent
from agentmatch.notifications.models import Message, PushSubscription
from agentmatch.referrals.expiry import expire_offers
from agentmatch.referrals.messages import notify_new_offer, notify_offer_missed
from agentmatch.referrals.models import Offer
from agentmatch.referrals.services import lock_referral
from agentmatch.testing import make_agent, make_referral, render_outbox

pytestmark = pytest.mark.django_db

# 20:00 UTC: the 15-minute window ends at 2:15 p.m. in Madison (America/Chicago).
NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def madison_agent(*, cell: bool = True, subscriptions: int = 0, **options: object) -> Agent:
    agent = make_agent(zip_code="53703", licensed=["WI"], now=NOW, **options)  # type: ignore[arg-type]
    if not cell:
        Agent.objects.filter(pk=agent.pk).update(cell_phone="")
    for i in range(subscriptions):
        PushSubscription.objects.create(
            agent=agent,
            endpoint=f"https://push.example/{agent.pk}/{i}",
            p256dh="key",
            auth="auth",
            created_at=NOW,
        )
    return agent


def offer_messages() -> list[Message]:
    render_outbox()
    return list(Message.objects.filter(kind="offer_new").order_by("pk"))


@pytest.mark.parametrize(
    ("method", "cell", "subscriptions", "expected"),
    [
        ("email_text_app", True, 2, ["email", "sms", "push", "push"]),
        ("email_text_app", False, 0, ["email"]),
        ("email_text", True, 1, ["email", "sms"]),
        ("email_text", False, 1, ["email"]),
        ("email_app", True, 1, ["email", "push"]),
        ("email_app", True, 0, ["email"]),
        ("email", True, 1, ["email"]),
    ],
)
def test_an_offer_goes_out_by_exactly_the_channels_the_agent_chose(
    plan_year, method: str, cell: bool, subscriptions: int, expected: list[str]
) -> None:
    agent = madison_agent(contact_method=method, cell=cell, subscriptions=subscriptions)
    make_referral(now=NOW)
    messages = offer_messages()
    assert [m.channel for m in messages] == expected
    offer = Offer.objects.get()
    assert {m.offer_id for m in messages} == {offer.pk}
    assert all(m.agent_id == agent.pk for m in messages)
    recipients = {m.channel: m.to for m in messages}
    assert recipients["email"] == agent.email
    if "sms" in expected:
        assert recipients["sms"] == agent.cell_phone
    push_to = sorted(m.to for m in messages if m.channel == "push")
    subs = PushSubscription.objects.filter(agent=agent).values_list("pk", flat=True)
    assert push_to == (sorted(str(pk) for pk in subs) if "push" in expected else [])


def test_offer_messages_show_the_place_and_never_the_consumers_contact_details(
    plan_year,
) -> None:
    madison_agent(subscriptions=1)
    make_referral(now=NOW, first_name="Zelda", last_name="Quixote")
    messages = offer_messages()
    assert len(messages) == 3
    for message in messages:
        text = f"{message.subject} {message.body} {json.dumps(message.payload)}"
        for secret in ("Zelda", "Quixote", "consumer@example.com", "555-0100", "5550100"):
            assert secret not in text, (message.channel, text)
        assert "53703" in text
    email = messages[0]
    assert "Madison, WI" in email.body and "English" in email.body
    assert "/n/o/" in email.body and email.body.count("/n/o/") == 2  # accept and reject


def test_the_deadline_is_shown_in_the_agents_own_time_zone(plan_year) -> None:
    agent = madison_agent()
    make_referral(now=NOW)
    email, sms = offer_messages()
    assert "2:15 p.m. CST" in email.subject and "2:15 p.m. CST" in sms.body
    # The same offer seen by an agent in Los Angeles.
    Agent.objects.filter(pk=agent.pk).update(time_zone="America/Los_Angeles")
    Message.objects.all().delete()
    notify_new_offer(offer=Offer.objects.select_related("referral").get(), now=NOW)
    email, sms = offer_messages()
    assert "12:15 p.m. PST" in email.subject and "12:15 p.m. PST" in sms.body


def test_a_spanish_speaking_agent_gets_the_offer_in_spanish(plan_year) -> None:
    madison_agent(languages=["es"], subscriptions=1)
    make_referral(now=NOW, language="es")
    email, sms, push = offer_messages()
    assert {m.language for m in (email, sms, push)} == {"es"}
    assert email.subject == "Nuevo referido en Madison, WI 53703: responda antes de las 14:15 CST"
    assert "Código postal: 53703" in email.body
    assert "Responda SÍ para aceptar o NO para rechazar" in sms.body
    assert push.payload["title"] == "Nuevo referido en Madison, WI"
    assert "español" in email.body.lower()


def test_an_agent_who_speaks_both_languages_gets_english(plan_year) -> None:
    madison_agent(languages=["en", "es"])
    make_referral(now=NOW, language="es")
    assert {m.language for m in offer_messages()} == {"en"}


def test_running_the_same_offer_event_again_enqueues_nothing_twice(plan_year) -> None:
    madison_agent(subscriptions=1)
    make_referral(now=NOW)
    before = Message.objects.count()
    offer = Offer.objects.select_related("referral", "agent").get()
    assert notify_new_offer(offer=offer, now=NOW) == 0
    assert notify_offer_missed(offer=offer, now=NOW, paused=False) == 3
    assert notify_offer_missed(offer=offer, now=NOW, paused=False) == 0
    assert Message.objects.count() == before + 3


def test_an_expired_offer_tells_the_agent_they_missed_it(plan_year) -> None:
    agent = madison_agent(subscriptions=1)
    referral = make_referral(now=NOW)
    later = NOW + timedelta(minutes=16)
    with transaction.atomic():
        [expired] = expire_offers(referrals=[lock_referral(referral.pk)], now=later)
    assert expired is not None
    render_outbox()
    missed = list(Message.objects.filter(kind="offer_missed").order_by("pk"))
    assert [m.channel for m in missed] == ["email", "sms", "push"]
    assert all(m.agent_id == agent.pk for m in missed)
    # Not tied to the offer: it must go out although the offer is no longer pending.
    assert all(m.offer_id is None for m in missed)
    email = missed[0]
    assert email.subject == "You missed a referral in Madison, WI"
    assert "not answered by 2:15 p.m. CST" in email.body
    assert "We paused you" in email.body  # PAUSE_AGENT_AFTER_MISSED_OFFER
