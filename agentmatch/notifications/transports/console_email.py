"""The development email backend: Django's console backend, printing redacted text.

Mail is decoded (Django may encode a body as quoted-printable or base64, where no pattern
could find a link) and printed with `agentmatch.core.logging.redact`: invitation and
password-reset links lose their secret, phone numbers and addresses are masked. Tests use
Django's in-memory outbox instead, which this does not touch.
"""

from email.message import Message
from typing import Any

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

from agentmatch.core.logging import redact


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message: Any) -> None:
        self.stream.write(redacted_email(message.message()) + "\n")
        self.stream.write("-" * 79 + "\n")


def redacted_email(msg: Message) -> str:
    lines = [f"{name}: {redact(str(value))}" for name, value in msg.items()]
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
            lines += ["", redact(text)]
    return "\n".join(lines)
