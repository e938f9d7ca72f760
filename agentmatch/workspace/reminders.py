"""The reminder an agent gets when an accepted consumer has no follow-up after an hour:
which offers are due, and the messages. The worker job calls the action
`workspace.actions.send_due_contact_reminder`, safe with any number of workers.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone, translation

from agentmatch.notifications.messages import agent_channels, agent_language, agent_time_zone
from agentmatch.notifications.outbox import enqueue
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.workspace.models import ContactReminder, FollowUp
from agentmatch.workspace.services import reminder_delay

# Referrals accepted longer ago than this are not reminded about (e.g. when the feature
# first runs over old data): a reminder a day late helps nobody.
LOOKBACK = timedelta(hours=24)
KIND = "contact_reminder"


def due_reminder_offers(now: datetime):  # type: ignore[no-untyped-def]
    no_follow_up = ~Exists(
        FollowUp.objects.filter(referral=OuterRef("referral"), agent=OuterRef("agent"))
    )
    not_reminded = ~Exists(ContactReminder.objects.filter(offer=OuterRef("pk")))
    return Offer.objects.filter(
        no_follow_up,
        not_reminded,
        status=OfferStatus.ACCEPTED,
        responded_at__lte=now - reminder_delay(),
        # An offer is answered before it expires, so this bound (on the offers_due index,
        # status + expires_at) keeps the scan to the last day's offers.
        expires_at__gt=now - LOOKBACK,
    )


def _render(part: str, context: dict[str, Any], *, language: str, tz: Any) -> str:
    template = engines["django"].get_template(f"workspace/messages/{KIND}/{part}")
    with translation.override(language), timezone.override(tz):
        text = template.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]
    return text.strip() if part == "email.txt" else " ".join(text.split())


def enqueue_reminder(*, offer: Offer, now: datetime) -> int:
    agent, referral = offer.agent, offer.referral
    language = agent_language(agent)
    tz = agent_time_zone(agent)
    url = settings.SITE_URL + reverse("workspace:referral", args=[referral.public_id])
    context = {
        "agent": agent,
        "referral": referral,
        "accepted_at": offer.responded_at,
        "url": url,
        "minutes": int(reminder_delay().total_seconds() // 60),
    }
    sent = 0
    for channel, to in agent_channels(agent):
        fields: dict[str, Any] = {}
        if channel == "email":
            fields = {
                "subject": _render("subject.txt", context, language=language, tz=tz),
                "body": _render("email.txt", context, language=language, tz=tz),
            }
        elif channel == "sms":
            fields = {"body": _render("sms.txt", context, language=language, tz=tz)}
        else:
            body = _render("push_body.txt", context, language=language, tz=tz)
            title = _render("push_title.txt", context, language=language, tz=tz)
            fields = {
                "body": body,
                "payload": {"title": title, "body": body, "url": url, "tag": f"{KIND}:{offer.pk}"},
            }
        message = enqueue(
            channel=channel,
            to=to,
            kind=KIND,
            now=now,
            language=language,
            agent=agent,
            referral=referral,
            dedupe_key=f"{KIND}:{offer.pk}:{channel}:{to}"[:200],
            **fields,
        )
        sent += message is not None
    return sent
