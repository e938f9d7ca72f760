"""Account emails cross a real SMTP exchange on loopback, from invitation to login."""

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.invitations import invite_newly_eligible_agents, send_one_invitation
from agentmatch.accounts.tests.helpers import LINK, deliver_outbox, sign_up_form
from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.models import Message as OutboxMessage
from agentmatch.planyears.services import current_plan_year
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    try:
        yield inbox
    finally:
        controller.stop()


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_invitation_registration_and_username_reminder_go_through_smtp(
    plan_year, smtp_inbox: Inbox, client: Client, django_capture_on_commit_callbacks
) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    now = timezone.now()
    invite_newly_eligible_agents(plan_year=current_plan_year(), now=now)
    assert send_one_invitation(now=now)
    deliver_outbox()
    [invitation] = smtp_inbox.messages
    assert invitation["To"] == agent.email
    assert invitation["Subject"] == "Activate your AgentMatch account"
    match = LINK.search(body_of(invitation))
    assert match
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accounts/register/{match.group(1)}/", sign_up_form())
    assert response.status_code == 302
    deliver_outbox()
    confirmation = smtp_inbox.messages[1]
    assert confirmation["Subject"] == "Your AgentMatch registration is almost complete"
    assert "/accounts/login/" in body_of(confirmation)
    client.logout()  # sign-up signs in; days later, signed out, the username is forgotten
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/forgot-username/", {"email": agent.email})
    deliver_outbox()
    assert "pat.agent" in body_of(smtp_inbox.messages[2])
    assert len(smtp_inbox.messages) == 3


def test_an_smtp_outage_keeps_the_invitation_for_later(plan_year, settings) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    now = timezone.now()
    invite_newly_eligible_agents(plan_year=current_plan_year(), now=now)
    assert send_one_invitation(now=now)
    assert deliver_one(now)  # nobody listens on the port: a temporary failure
    queued = OutboxMessage.objects.get(kind="invitation")
    assert (queued.status, queued.attempts) == ("pending", 1)
    assert queued.last_error
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while deliver_one(queued.next_attempt_at):
            pass
    finally:
        controller.stop()
    [invitation] = inbox.messages
    assert invitation["To"] == agent.email
    assert OutboxMessage.objects.get(pk=queued.pk).status == "sent"
