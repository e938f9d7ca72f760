"""Consumers' contact details go CONSUMER_DATA_RETENTION_DAYS after their referral ends,
from every table that copied them; what statistics and the consent record need stays."""

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from agentmatch.notifications.models import Message, MessageStatus
from agentmatch.referrals.models import (
    ContactDisclosure,
    EventKind,
    IdempotencyKey,
    Offer,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from agentmatch.retention.actions import Forgotten, anonymise_ended_referrals
from agentmatch.retention.tests.conftest import (
    CONSUMER_EMAIL,
    CONSUMER_PHONE_DIGITS,
    accepted,
    canceled,
    days_ago,
    everything_about,
    followed_up,
    requested,
    unmatched,
)
from agentmatch.workspace.forgetting import REMOVED
from agentmatch.workspace.models import FollowUp
from agentmatch.workspace.services import FollowUpError, FollowUpInput, set_follow_up

pytestmark = pytest.mark.django_db


def test_an_accepted_referral_past_retention_keeps_no_contact_detail_anywhere(agent) -> None:
    referral = accepted(at=days_ago(120), agent=agent)
    followed_up(referral, agent=agent, at=days_ago(119), status="contacted")
    followed_up(
        referral, agent=agent, at=days_ago(100), status="enrolled", application_id="APP-777001"
    )
    before = everything_about(referral)
    assert CONSUMER_PHONE_DIGITS in before and CONSUMER_EMAIL in before
    assert "Anastasia" in before and "53703" in before and "APP-777001" in before

    done = anonymise_ended_referrals(now=timezone.now())

    assert done.referrals == 1 and done.messages >= 3 and done.delivery_attempts == 1
    after = everything_about(referral)
    for secret in (CONSUMER_PHONE_DIGITS, "555-0100", CONSUMER_EMAIL, "Anastasia", "Quintero"):
        assert secret not in after, secret
    assert "53703" not in after and "Madison" not in after and "APP-777001" not in after
    referral.refresh_from_db()
    assert (referral.first_name, referral.last_name, referral.phone, referral.email) == (
        "",
        "",
        "",
        "",
    )
    assert (referral.zip_code, referral.city, referral.latitude, referral.longitude) == (
        "",
        "",
        None,
        None,
    )
    assert referral.anonymised_at is not None
    for message in Message.objects.filter(referral=referral):
        assert message.to == "" and message.body == "" and message.subject == ""
        assert message.payload == {} and message.context == {} and message.dedupe_key is None
    assert not IdempotencyKey.objects.filter(referral=referral).exists()
    assert set(
        FollowUp.objects.filter(referral=referral).values_list("application_id", flat=True)
    ) == {
        "",
        REMOVED,
    }
    audit = referral.events.get(kind=EventKind.ANONYMISED)
    assert "90 days" in audit.detail


def test_what_statistics_and_the_consent_record_need_stays(agent) -> None:
    referral = accepted(at=days_ago(120), agent=agent)
    followed_up(referral, agent=agent, at=days_ago(110), status="not_good_prospect", reason="x")
    before = Referral.objects.get(pk=referral.pk)
    offer_before = Offer.objects.get(referral=referral)
    kept = ("state", "language", "status", "created_at", "ended_at", "plan_year")
    consent = ("consent_given_at", "consent_wording_version", "consent_channel")

    anonymise_ended_referrals(now=timezone.now())

    after = Referral.objects.get(pk=referral.pk)
    for field in kept + consent + ("page_language", "partner_key_id", "public_id"):
        assert getattr(after, field) == getattr(before, field), field
    assert after.county == "Dane County"
    offer = Offer.objects.get(referral=referral)
    assert (offer.agent_id, offer.rank, offer.distance_miles, offer.status) == (
        offer_before.agent_id,
        offer_before.rank,
        offer_before.distance_miles,
        "accepted",
    )
    assert "[ZIP removed]" in offer.reason
    assert list(FollowUp.objects.filter(referral=referral).values_list("status", flat=True)) == [
        "not_good_prospect"
    ]
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds == ["created", "offered", "accepted", "anonymised"]
    removed = referral.events.get(kind="anonymised")
    assert (removed.code, removed.params) == ("contact_details_removed", {"days": 90})
    assert ContactDisclosure.objects.filter(referral=referral).count() == 1
    sent = Message.objects.filter(referral=referral)
    assert {m.channel for m in sent} == {"sms", "email"}
    assert all(m.kind and m.created_at for m in sent)


def test_canceled_and_unmatched_referrals_past_retention_are_anonymised_too(agent) -> None:
    gone = canceled(at=days_ago(91), phone="+16085550101")
    nobody = unmatched(at=days_ago(95), phone="+16085550102")

    done = anonymise_ended_referrals(now=timezone.now())

    assert done.referrals == 2
    for referral in (gone, nobody):
        referral.refresh_from_db()
        assert referral.anonymised_at is not None and referral.phone == ""
    assert {r.status for r in (gone, nobody)} == {"canceled", "unmatched"}


def test_referrals_inside_retention_or_still_open_or_still_worked_on_are_untouched(
    agent, settings
) -> None:
    recent = accepted(at=days_ago(80), agent=agent, phone="+16085550101")
    just_inside = canceled(at=days_ago(89.9), phone="+16085550102")
    worked_on = accepted(at=days_ago(200), agent=agent, phone="+16085550104")
    followed_up(worked_on, agent=agent, at=days_ago(10), status="deferred", reason="call in Nov")
    still_open = requested(at=days_ago(200), phone="+16085550103")

    assert anonymise_ended_referrals(now=timezone.now()) == Forgotten()

    for referral in (recent, just_inside, still_open, worked_on):
        fresh = Referral.objects.get(pk=referral.pk)
        assert fresh.anonymised_at is None and fresh.first_name == "Anastasia"
        assert fresh.phone == referral.phone and fresh.zip_code == "53703"
    assert not Message.objects.filter(to="").exists()
    assert FollowUp.objects.get(referral=worked_on).reason == "call in Nov"
    # A shorter period reaches them (the open one never: it has not ended).
    settings.CONSUMER_DATA_RETENTION_DAYS = 5
    assert anonymise_ended_referrals(now=timezone.now()).referrals == 3
    assert Referral.objects.get(pk=still_open.pk).anonymised_at is None


def test_running_twice_changes_nothing_the_second_time(agent) -> None:
    referral = canceled(at=days_ago(100))
    now = timezone.now()
    assert anonymise_ended_referrals(now=now).referrals == 1
    snapshot = everything_about(referral)

    assert anonymise_ended_referrals(now=now + timedelta(minutes=1)) == Forgotten()
    assert everything_about(referral) == snapshot
    assert referral.events.filter(kind=EventKind.ANONYMISED).count() == 1


def test_a_big_backlog_goes_a_batch_per_transaction(agent) -> None:
    for n in range(5):
        canceled(at=days_ago(100 + n), phone=f"+160855501{n:02d}")
    now = timezone.now()
    assert [anonymise_ended_referrals(now=now, batch=2).referrals for _ in range(4)] == [2, 2, 1, 0]
    # Oldest first.
    order = Referral.objects.order_by("anonymised_at", "ended_at").values_list(
        "ended_at", flat=True
    )
    assert list(order) == sorted(order)


def test_a_pending_message_about_an_anonymised_referral_is_never_sent(agent) -> None:
    referral = canceled(at=days_ago(100))
    Message.objects.filter(referral=referral).update(status=MessageStatus.PENDING)
    anonymise_ended_referrals(now=timezone.now())
    assert set(Message.objects.filter(referral=referral).values_list("status", flat=True)) == {
        MessageStatus.SUPPRESSED
    }


def test_an_agent_cannot_write_new_notes_on_an_anonymised_referral(agent) -> None:
    referral = accepted(at=days_ago(120), agent=agent)
    anonymise_ended_referrals(now=timezone.now())
    with pytest.raises(FollowUpError), transaction.atomic():
        set_follow_up(
            referral=referral,
            agent=agent,
            data=FollowUpInput(status="deferred", reason="Anastasia, call 608-555-0100"),
            now=timezone.now(),
        )
    assert not FollowUp.objects.filter(referral=referral).exists()


def test_the_database_refuses_an_anonymised_row_that_keeps_a_detail(agent) -> None:
    referral = canceled(at=days_ago(100))
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(anonymised_at=timezone.now())
    open_one = requested(at=days_ago(1), phone="+16085550109")
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=open_one.pk).update(
            anonymised_at=timezone.now(),
            first_name="",
            last_name="",
            phone="",
            email="",
            zip_code="",
            city="",
            latitude=None,
            longitude=None,
        )
    assert Referral.objects.get(pk=open_one.pk).status == ReferralStatus.OFFERED
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=open_one.pk).update(latitude=None)


def test_the_audit_row_says_what_and_when_but_not_who(agent) -> None:
    referral = canceled(at=days_ago(100))
    now = timezone.now()
    anonymise_ended_referrals(now=now)
    event = ReferralEvent.objects.get(referral=referral, kind=EventKind.ANONYMISED)
    assert event.at == now and event.agent_id is None
    assert CONSUMER_PHONE_DIGITS not in json.dumps(event.detail)
