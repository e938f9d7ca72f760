"""Shared steps for account tests: invite an agent and read the link from the email."""

import re
from datetime import datetime

from django.core import mail
from django.db import transaction

from agentmatch.accounts.invitations import invite_newly_eligible_agents, send_one_invitation
from agentmatch.planyears.services import current_plan_year

LINK = re.compile(r"/accounts/(?:register|reset)/([A-Za-z0-9_\-]+)/")


def invite_and_send(now: datetime) -> int:
    with transaction.atomic():
        created = invite_newly_eligible_agents(plan_year=current_plan_year(), now=now)
    while send_one_invitation(now=now):
        pass
    return created


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
