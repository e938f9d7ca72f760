"""The "consumer not contacted yet" reminder: after 60 minutes, once, and only if needed."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from agentmatch.core.jobs import registered, run_due_jobs
from agentmatch.notifications.models import Message
from agentmatch.referrals.services import accept_offer
from agentmatch.testing import make_agent, make_referral, plan_year_2026
from agentmatch.workspace.actions import record_follow_up, send_due_contact_reminder
from agentmatch.workspace.jobs import contact_reminder_job
from agentmatch.workspace.models import ContactReminder, FollowUpStatus
from agentmatch.workspace.services import FollowUpInput


def accepted_at(agent, when, language="en"):  # type: ignore[no-untyped-def]
    referral = make_referral(now=when - timedelta(minutes=1), language=language)
    offer = referral.offers.get()
    assert offer.agent == agent
    with transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=agent, now=when)
    return referral


def reminders() -> list[Message]:
    return list(Message.objects.filter(kind="contact_reminder").order_by("channel"))


@pytest.mark.django_db
def test_sent_once_by_each_channel_the_agent_chose(agent):
    now = timezone.now()
    referral = accepted_at(agent, now - timedelta(minutes=61))
    assert send_due_contact_reminder(now=now) is True
    assert send_due_contact_reminder(now=now) is False
    assert send_due_contact_reminder(now=now + timedelta(hours=2)) is False
    sent = reminders()
    assert {m.channel for m in sent} == {"email", "sms"}
    assert ContactReminder.objects.get().messages == 2
    email = next(m for m in sent if m.channel == "email")
    assert "Madison, WI" in email.subject
    assert f"/workspace/referrals/{referral.public_id}/" in email.body
    # Texts and lock screens: no consumer name or phone in the reminder.
    for message in sent:
        assert referral.first_name not in message.body + message.subject
        assert referral.phone not in message.body
    assert all(m.agent == agent and m.referral == referral for m in sent)


@pytest.mark.django_db
def test_not_sent_before_sixty_minutes(agent):
    now = timezone.now()
    accepted_at(agent, now - timedelta(minutes=59))
    assert send_due_contact_reminder(now=now) is False
    assert send_due_contact_reminder(now=now + timedelta(minutes=1, seconds=1)) is True
    assert len(reminders()) == 2


@pytest.mark.django_db
def test_not_sent_when_contacted(agent):
    now = timezone.now()
    referral = accepted_at(agent, now - timedelta(minutes=90))
    record_follow_up(
        referral=referral,
        agent=agent,
        data=FollowUpInput(status=FollowUpStatus.CONTACTED),
        now=now - timedelta(minutes=80),
    )
    assert send_due_contact_reminder(now=now) is False
    assert reminders() == []


@pytest.mark.django_db
def test_not_sent_about_referrals_accepted_days_ago(agent):
    now = timezone.now()
    accepted_at(agent, now - timedelta(days=3))
    assert send_due_contact_reminder(now=now) is False


@pytest.mark.django_db
def test_spanish_speaking_agent_gets_it_in_spanish(plan_year):
    agent = make_agent(zip_code="53711", licensed=["WI"], languages=["es"])
    now = timezone.now()
    accepted_at(agent, now - timedelta(minutes=61), language="es")
    send_due_contact_reminder(now=now)
    email = next(m for m in reminders() if m.channel == "email")
    assert email.language == "es"
    assert "Recordatorio" in email.subject


@pytest.mark.django_db
def test_the_worker_runs_it_as_a_registered_job(agent):
    assert ("contact reminders", contact_reminder_job) in [(j.name, j.run) for j in registered()]
    now = timezone.now()
    accepted_at(agent, now - timedelta(minutes=61))
    run_due_jobs(now=now)
    assert ContactReminder.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_workers_at_once_send_each_reminder_once():
    plan_year_2026()
    now = timezone.now()
    agent = make_agent(zip_code="53711", licensed=["WI"])
    for _ in range(4):
        accepted_at(agent, now - timedelta(minutes=61))
    barrier = threading.Barrier(8)
    errors: list[Exception] = []

    def worker() -> None:
        try:
            barrier.wait()
            while send_due_contact_reminder(now=now):
                pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert ContactReminder.objects.count() == 4
    assert Message.objects.filter(kind="contact_reminder").count() == 8
