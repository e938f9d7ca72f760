"""Error reports (Sentry) only with SENTRY_DSN, and nothing in them that a log line may not
hold: no phone numbers, no tokens, no request bodies. No network: events stay in memory."""

import json
import logging
from typing import Any

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from agentmatch.core import error_reports
from agentmatch.core.error_reports import scrub_breadcrumb, scrub_event

TOKEN = "Zq9xW3vT7yU1iO5pA8sD2fG6hJ0kL4mN-b_cVe"
STATUS_ID = "3f2a8c4e-1b2c-4d5e-8f9a-0b1c2d3e4f5a"


def an_event() -> dict[str, Any]:
    """Shaped like the events the Django and logging integrations send."""
    return {
        "level": "error",
        "message": "SMS to +16085550199 failed",
        "logentry": {"message": "SMS to %s failed", "params": ["+16085550199"],
                     "formatted": "SMS to +16085550199 failed"},
        "exception": {"values": [{
            "type": "IntegrityError",
            "value": f"duplicate key (phone)=(+16085550199) token={TOKEN}",
            "stacktrace": {"frames": [{"filename": "agentmatch/referrals/services.py",
                                       "function": "create_referral", "lineno": 10}]},
        }]},
        "request": {
            "url": f"https://help.example.gov/status/{STATUS_ID}/{TOKEN}/",
            "method": "POST",
            "query_string": f"token={TOKEN}&from=sms",
            "headers": {"Authorization": f"Bearer {TOKEN}", "X-Status-Token": TOKEN,
                        "User-Agent": "Mozilla/5.0", "Cookie": f"sessionid={TOKEN}"},
            "data": {"first_name": "Ana", "phone": "608-555-0199"},
            "cookies": {"sessionid": TOKEN},
        },
        "extra": {"sys.argv": ["agentmatch", "worker"], "partner_key": TOKEN},
        "breadcrumbs": {"values": [{"category": "agentmatch.worker",
                                    "message": "offer sent to (608) 555-0199"}]},
    }  # fmt: skip


def test_the_scrubber_leaves_no_phone_token_or_request_body_in_an_event():
    scrubbed = scrub_event(an_event(), {})
    text = json.dumps(scrubbed)
    assert TOKEN not in text
    assert "555-0199" not in text and "6085550199" not in text
    assert scrubbed["message"] == "SMS to +1 ***-***-0199 failed"
    assert scrubbed["logentry"]["params"] == ["+1 ***-***-0199"]
    value = scrubbed["exception"]["values"][0]["value"]
    assert value == "duplicate key (phone)=(+1 ***-***-0199) token=[redacted]"
    assert scrubbed["request"]["url"] == f"https://help.example.gov/status/{STATUS_ID}/[redacted]/"
    assert scrubbed["request"]["headers"]["Authorization"] == "[redacted]"
    assert scrubbed["request"]["headers"]["User-Agent"] == "Mozilla/5.0"
    assert "data" not in scrubbed["request"] and "cookies" not in scrubbed["request"]
    # What helps find the bug stays.
    frame = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert frame["function"] == "create_referral" and frame["lineno"] == 10
    crumb = scrub_breadcrumb({"message": "offer sent to (608) 555-0199"}, {})
    assert crumb["message"] == "offer sent to +1 ***-***-0199"


def test_without_a_dsn_nothing_is_initialised():
    from django.conf import settings

    assert settings.SENTRY_DSN == ""
    assert error_reports.init("", environment="production") is False
    assert not sentry_sdk.get_client().is_active()


class KeepEvents(Transport):
    """Keeps what would be sent, in memory."""

    sent: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type == "event" and item.payload.json is not None:
                self.sent.append(item.payload.json)


@pytest.fixture
def sentry_in_memory():  # type: ignore[no-untyped-def]
    KeepEvents.sent = []
    assert error_reports.init(
        "https://public@errors.example.invalid/1", environment="test", transport=KeepEvents
    )
    assert not sentry_sdk.get_client().should_send_default_pii()
    try:
        yield KeepEvents.sent
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def test_with_a_dsn_an_error_log_and_an_exception_are_reported_scrubbed(sentry_in_memory):
    logger = logging.getLogger("agentmatch.test.sentry")
    logger.info("looking up +16085550199")  # a breadcrumb
    logger.error("SMS to %s failed with token=%s", "+16085550199", TOKEN)
    try:
        raise RuntimeError(f"push to /n/o/{TOKEN}/ failed for 608-555-0199")
    except RuntimeError as exc:
        sentry_sdk.capture_exception(exc)
    sentry_sdk.flush()
    assert len(sentry_in_memory) == 2
    text = json.dumps(sentry_in_memory)
    assert TOKEN not in text and "555-0199" not in text and "6085550199" not in text
    assert "+1 ***-***-0199" in text and "/n/o/[redacted]/" in text
    assert all(event.get("environment") == "test" for event in sentry_in_memory)
