"""The consumer hears at each stage, in their own language: received, accepted, no agent."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from agentmatch.notifications.models import Message
from agentmatch.referrals.messages import notify_consumer_accepted, notify_referral_received
from agentmatch.referrals.models import Offer
from agentmatch.referrals.services import accept_offer, give_up_waiting, lock_referral
from agentmatch.testing import make_agent, make_referral, render_outbox

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
CONSUMER_PHONE = "+16085550100"  # make_referral's 608-555-0100


def to_consumer(kind: str) -> dict[str, Message]:
    render_outbox()
    return {m.channel: m for m in Message.objects.filter(kind=kind)}


@pytest.mark.parametrize(
    ("language", "subject", "sms_words"),
    [
        ("en", "We received your request (reference", "we received your request"),
        ("es", "Recibimos su solicitud (referencia", "recibimos su solicitud"),
    ],
)
def test_the_consumer_gets_a_reference_number_and_a_status_link(
    plan_year, language: str, subject: str, sms_words: str
) -> None:
    make_agent(zip_code="53703", licensed=["WI"], languages=[language], now=NOW)
    referral = make_referral(now=NOW, language=language)
    received = to_consumer("consumer_received")
    assert set(received) == {"sms", "email"}
    assert received["sms"].to == CONSUMER_PHONE
    assert received["email"].to == "consumer@example.com"
    assert {m.language for m in received.values()} == {language}
    assert received["email"].subject.startswith(subject)
    assert sms_words in received["sms"].body
    status_link = f"/status/{referral.public_id}/"
    for message in received.values():
        assert referral.reference in message.body and status_link in message.body
    assert referral.reference in received["email"].subject


def test_the_status_link_in_the_message_opens_the_requests_status(plan_year, client) -> None:
    referral = make_referral()  # now: the token stops working a while after the request
    body = to_consumer("consumer_received")["sms"].body
    path = body[body.index("/status/") :].split()[0]
    response = client.get(path, follow=True)
    assert response.status_code == 200, response.content
    assert referral.reference in response.content.decode()


def test_an_email_goes_only_to_consumers_who_gave_one(plan_year) -> None:
    referral = make_referral(now=NOW)
    Message.objects.all().delete()
    referral.email = ""
    notify_referral_received(referral=referral, token="t", now=NOW)
    assert set(to_consumer("consumer_received")) == {"sms"}


@pytest.mark.parametrize(
    ("language", "sms_start"),
    [
        ("en", "AgentMatch: Maria Lopez (licensed agent, NPN 4455667, phone (608) 555-5667)"),
        (
            "es",
            "AgentMatch: Maria Lopez (agente con licencia, NPN 4455667, teléfono (608) 555-5667)",
        ),
    ],
)
def test_the_consumer_learns_who_accepted_with_name_npn_and_phone(
    plan_year, language: str, sms_start: str
) -> None:
    agent = make_agent(
        zip_code="53703",
        licensed=["WI"],
        languages=["en", "es"],
        first_name="Maria",
        last_name="Lopez",
        npn="4455667",
        now=NOW,
    )
    referral = make_referral(now=NOW, language=language)
    offer = Offer.objects.get(referral=referral)
    with transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=agent, now=NOW + timedelta(minutes=2))
    accepted = to_consumer("consumer_accepted")
    assert set(accepted) == {"sms", "email"}
    assert accepted["sms"].body.startswith(sms_start)
    assert {m.language for m in accepted.values()} == {language}
    assert "Maria Lopez" in accepted["email"].subject
    assert "4455667" in accepted["email"].body and agent.email in accepted["email"].body
    # Running the event's notification again adds nothing.
    assert notify_consumer_accepted(offer=offer, now=NOW) == 0


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "no agent is available right now"), ("es", "ahora no hay ningún agente disponible")],
)
def test_no_agent_available_points_to_other_help(plan_year, language: str, words: str) -> None:
    referral = make_referral(now=NOW, language=language)  # nobody to offer it to: waits
    assert not to_consumer("consumer_unmatched")
    with transaction.atomic():
        assert give_up_waiting(referral=lock_referral(referral.pk), now=NOW + timedelta(hours=2))
    unmatched = to_consumer("consumer_unmatched")
    assert set(unmatched) == {"sms", "email"}
    assert words in unmatched["sms"].body
    for message in unmatched.values():
        assert message.language == language
        assert "HealthCare.gov" in message.body and "1-800-318-2596" in message.body
    with transaction.atomic():
        assert not give_up_waiting(
            referral=lock_referral(referral.pk), now=NOW + timedelta(hours=3)
        )
    assert Message.objects.filter(kind="consumer_unmatched").count() == 2


@pytest.mark.parametrize(("page_language", "expected"), [("es", "es"), ("en", "en"), (None, "en")])
def test_a_consumer_asking_for_another_language_is_written_to_in_the_pages_language(
    plan_year, page_language, expected
) -> None:
    referral = make_referral(language="vi", now=NOW)
    if page_language:
        type(referral).objects.filter(pk=referral.pk).update(page_language=page_language)
    assert {m.language for m in to_consumer("consumer_received").values()} == {expected}
