"""The development backends (console and file texts, console email) show what a message
says without the recipient's full phone number or the secrets in its links."""

import io
import json
import logging

from django.core.mail import EmailMessage

from agentmatch.notifications.models import Channel, Message
from agentmatch.notifications.transports.console_email import EmailBackend
from agentmatch.notifications.transports.sms import ConsoleSms, FileSms

TOKEN = "Zq9xW3vT7yU1iO5pA8sD2fG6hJ0kL4mN-b_cVe"
STATUS = f"https://help.example.gov/status/3f2a8c4e-1b2c-4d5e-8f9a-0b1c2d3e4f5a/{TOKEN}/"
OFFER_TEXT = f"New referral: Ana, 608-555-0199. Accept: https://help.example.gov/n/o/{TOKEN}/"


def text(body: str) -> Message:
    return Message(channel=Channel.SMS, to="+16085550199", kind="test", body=body)


def test_a_console_text_logs_a_masked_phone_and_no_link_token(caplog):
    with caplog.at_level(logging.INFO, logger="agentmatch.notifications.sms"):
        ConsoleSms().send(text(OFFER_TEXT))
    [line] = [r.getMessage() for r in caplog.records if r.name == "agentmatch.notifications.sms"]
    assert line == (
        "SMS to +1 ***-***-0199: New referral: Ana, +1 ***-***-0199. "
        "Accept: https://help.example.gov/n/o/[redacted]/"
    )


def test_the_sms_file_holds_masked_phones_and_no_status_token(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    FileSms().send(text(f"Your request is in. Status: {STATUS}"))
    [line] = (tmp_path / "sms.jsonl").read_text().splitlines()
    written = json.loads(line)
    assert written["to"] == "+1 ***-***-0199"
    assert TOKEN not in written["body"] and written["body"].endswith("/[redacted]/")


def test_the_console_email_prints_the_text_without_the_reset_link_secret():
    stream = io.StringIO()
    # Non-ASCII and long lines: Django encodes such a body; the backend must decode it.
    body = (
        "Hola Lucía: para elegir una contraseña nueva abra este enlace en los próximos 30 "
        f"minutos: https://help.example.gov/accounts/reset/{TOKEN}/ o llame al (608) 555-0199."
    )
    message = EmailMessage("Restablecer contraseña", body, "noreply@x.gov", ["lucia@example.com"])
    EmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert TOKEN not in printed and "555-0199" not in printed and "lucia@" not in printed
    assert "https://help.example.gov/accounts/reset/[redacted]/" in printed
    assert "To: l***@example.com" in printed and "Subject: Restablecer contraseña" in printed
