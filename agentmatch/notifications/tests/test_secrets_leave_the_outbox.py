"""Raw secrets in links stay in the outbox only until the message is done with."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from agentmatch.notifications.delivery import deliver_one
from agentmatch.notifications.models import Message, MessageStatus
from agentmatch.notifications.redaction import redact
from agentmatch.testing import make_agent, make_referral, render_outbox

pytestmark = pytest.mark.django_db


def deliver_everything() -> None:
    while deliver_one(timezone.now()):
        pass


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "see http://x/api/v1/referrals/1?token=AbC_-9 now",
            "see http://x/api/v1/referrals/1?token=[removed] now",
        ),
        ("http://x/accounts/register/S3cr3t_-/", "http://x/accounts/register/[removed]/"),
        ("http://x/accounts/reset/S3cr3t/", "http://x/accounts/reset/[removed]/"),
        ("http://x/n/o/eyJv:1x:abc/", "http://x/n/o/[removed]/"),
        ("http://x/n/o/q0-Zx_9aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab/", "http://x/n/o/[removed]/"),
        ("http://x/status/R-1A2B/Zm9v_bar-9/ now", "http://x/status/R-1A2B/[removed]/ now"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redaction_removes_link_secrets(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_a_delivered_message_keeps_no_status_token_or_offer_link(plan_year) -> None:
    make_agent(zip_code="53703", licensed=["WI"])
    referral = make_referral(zip_code="53703")
    render_outbox()
    queued = Message.objects.get(kind="consumer_received", channel="sms")
    token = re.search(rf"/status/{referral.public_id}/([^/\s]+)/", queued.body)
    assert token, queued.body
    deliver_everything()
    for message in Message.objects.all():
        assert message.status in (MessageStatus.SENT, MessageStatus.SUPPRESSED)
        assert token.group(1) not in message.body
        assert "/n/o/[removed]" in message.body or "/n/o/" not in message.body
    # What went out did carry the working link.
    assert any(token.group(1) in m.body for m in mail.outbox) or referral.email == ""
