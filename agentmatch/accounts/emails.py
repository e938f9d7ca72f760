"""Account emails, rendered from templates in the recipient's language, sent via the outbox.

Putting the message in the outbox inside the caller's transaction is the send: the
delivery worker hands it to the SMTP server, retrying while the server is down.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from agentmatch.agents.models import Agent
from agentmatch.notifications.models import Channel, Message
from agentmatch.notifications.outbox import enqueue


def send_account_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    now: datetime,
    agent: Agent | None = None,
    dedupe_key: str | None = None,
) -> Message | None:
    """Queues `accounts/email/<template>_subject.txt` and `..._body.txt` for `to`."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
    return enqueue(
        channel=Channel.EMAIL,
        to=to,
        kind=template,
        now=now,
        language=language,
        subject=" ".join(subject.split()),
        body=body,
        agent=agent,
        dedupe_key=dedupe_key,
    )
