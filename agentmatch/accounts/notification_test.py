"""'Send me a test': one message to the agent by the channel they pick, through the outbox.

Only the first request per channel in a minute is sent, so a double tap sends one test.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agentmatch.agents.models import Agent
from agentmatch.notifications.messages import agent_language, send_test_text
from agentmatch.notifications.models import Channel, PushSubscription
from agentmatch.notifications.outbox import enqueue

CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PUSH)


class NothingToSend(ValueError):
    pass


def send_test_notification(*, agent: Agent, channel: str, now: datetime) -> int:
    """Enqueues the test; returns how many messages were new (0: already sent this minute).

    Raises NothingToSend when the agent has no address for that channel.
    """
    minute = now.strftime("%Y%m%d%H%M")
    event = f"test_{channel}:{agent.pk}:{minute}"
    language = agent_language(agent)
    url = settings.SITE_URL + reverse("accounts:profile")
    if channel == Channel.SMS:
        if not agent.cell_phone:
            raise NothingToSend(_("Add a cell phone number first."))
        return int(send_test_text(agent=agent, now=now, event=event))
    with translation.override(language):
        title = _("AgentMatch test notification")
        body = _("This is your test. Referral alerts will come to you this way.")
    if channel == Channel.EMAIL:
        if not agent.email:
            raise NothingToSend(_("Your account has no email address."))
        sent = enqueue(
            channel=Channel.EMAIL,
            to=agent.email,
            kind="test_email",
            now=now,
            language=language,
            subject=title,
            body=f"{body}\n\n{url}\n",
            agent=agent,
            dedupe_key=f"{event}:{agent.email}"[:200],
        )
        return int(sent is not None)
    if channel == Channel.PUSH:
        subscriptions = list(
            PushSubscription.objects.filter(agent=agent).order_by("pk").values_list("pk", flat=True)
        )
        if not subscriptions:
            raise NothingToSend(_("Turn on notifications on this device first."))
        count = 0
        for pk in subscriptions:
            sent = enqueue(
                channel=Channel.PUSH,
                to=str(pk),
                kind="test_push",
                now=now,
                language=language,
                body=body,
                payload={"title": title, "body": body, "url": url, "tag": "test"},
                agent=agent,
                dedupe_key=f"{event}:{pk}",
            )
            count += sent is not None
        return count
    raise NothingToSend(_("Choose email, text or app notification."))
