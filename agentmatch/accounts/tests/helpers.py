"""Shared steps for account tests: invite an agent and read the link from the email."""

import re
from datetime import datetime

from django.core import mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agentmatch.accounts.invitations import invite_newly_eligible_agents, send_one_invitation
from agentmatch.accounts.recovery import handle_one_request
from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.models import Channel, Message, MessageStatus
from agentmatch.planyears.services import current_plan_year

LINK = re.compile(r"/accounts/(?:register|reset)/([A-Za-z0-9_\-]+)/")


def invite_and_send(now: datetime) -> int:
    with transaction.atomic():
        created = invite_newly_eligible_agents(plan_year=current_plan_year(), now=now)
    while send_one_invitation(now=now):
        pass
    return created


def deliver_outbox() -> None:
    """Runs the worker's recovery-email job, then the outbox's delivery job, until
    nothing is due.

    Tests may queue messages at a `now` in the future: deliver as of the latest one.
    """
    while handle_one_request(now=timezone.now()):
        pass
    latest = Message.objects.filter(status=MessageStatus.PENDING).aggregate(
        at=Max("next_attempt_at")
    )["at"]
    now = max(timezone.now(), latest) if latest else timezone.now()
    while deliver_one(now):
        pass


def sent_mail() -> list[mail.EmailMessage]:
    """Django's test mailbox once queued emails are delivered (they wait in the outbox)."""
    deliver_outbox()
    return mail.outbox


def texts_to(phone: str) -> list[str]:
    """Bodies of the text messages queued for `phone`, oldest first."""
    rows = Message.objects.filter(channel=Channel.SMS, to=phone).order_by("pk")
    return list(rows.values_list("body", flat=True))


def token_from(message: "mail.EmailMessage") -> str:
    match = LINK.search(str(message.body))
    assert match, message.body
    return match.group(1)


def sign_up_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "cell_phone": "(608) 555-0142",
        "contact_method": "email_text_app",
        "zip_code": "53703",
        "username": "pat.agent",
        "password": "Tr7#kPz!wQ2m",
        "password_again": "Tr7#kPz!wQ2m",
        "accepts_terms": "on",
    }
    form.update(overrides)
    return form
