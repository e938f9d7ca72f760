"""Text messages, until the notifications layer lands: one seam, one local backend.

`RecordingTextBackend` keeps every message in the `outbox` list (like Django's locmem mail
backend) and logs it, so development and tests can read the test text an agent asked for.
The notifications issue replaces this module with the provider-backed outbox.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str
    sent_at: datetime


class RecordingTextBackend:
    outbox: list[TextMessage] = []

    def send(self, message: TextMessage) -> None:
        RecordingTextBackend.outbox.append(message)
        log.info("text to %s: %s", message.to, message.body)


def send_text(*, to: str, body: str, now: datetime) -> None:
    backend = import_string(settings.TEXT_BACKEND)()
    backend.send(TextMessage(to=to, body=body, sent_at=now))
