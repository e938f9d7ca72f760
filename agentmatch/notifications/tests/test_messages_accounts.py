"""Account emails and the test text go through the outbox, in the agent's language."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from agentmatch.accounts.recovery import remind_username, request_password_reset
from agentmatch.accounts.tests.helpers import sent_mail
from agentmatch.notifications.models import Message
from agentmatch.testing import make_agent_user

pytestmark = pytest.mark.django_db


def test_a_password_reset_is_queued_in_the_outbox_and_sent_by_the_worker(plan_year) -> None:
    user = make_agent_user(username="pat.agent")
    with transaction.atomic():
        request_password_reset(username_or_email="pat.agent", now=timezone.now())
    [queued] = Message.objects.filter(kind="password_reset")
    assert (queued.channel, queued.to, queued.status) == ("email", user.email, "pending")
    assert queued.agent_id == user.agent_id
    assert mail.outbox == []  # nothing leaves before the delivery job runs
    [email] = sent_mail()
    assert email.subject == "Choose a new AgentMatch password"
    assert "/accounts/reset/" in str(email.body)


def test_a_spanish_speaking_agent_gets_account_emails_in_spanish(plan_year) -> None:
    user = make_agent_user(username="ana.agente", languages=["es"])
    with transaction.atomic():
        remind_username(email=user.email, now=timezone.now())
        request_password_reset(username_or_email=user.email, now=timezone.now())
    subjects = dict(Message.objects.values_list("kind", "subject"))
    assert subjects == {
        "username_reminder": "Su nombre de usuario de AgentMatch",
        "password_reset": "Elija una nueva contraseña de AgentMatch",
    }
    assert set(Message.objects.values_list("language", flat=True)) == {"es"}


def test_a_rolled_back_request_leaves_nothing_to_send(plan_year) -> None:
    make_agent_user(username="pat.agent")
    with pytest.raises(RuntimeError), transaction.atomic():
        request_password_reset(username_or_email="pat.agent", now=timezone.now())
        raise RuntimeError("the request failed after the email was queued")
    assert not Message.objects.exists()
    assert sent_mail() == []
