"""How a message leaves us: one small transport per channel behind one interface.

A transport sends one outbox Message and returns the provider's id for it, or raises
TransportError. `permanent=True` means retrying cannot help (invalid number, unsubscribed,
expired push subscription); anything else is retried with backoff by the delivery job.
Transports do not write to the database: the delivery job records every outcome.

The delivery job sends a batch side by side, in a few threads: `send` must not touch the
database (a thread's own connection would outlive the batch). What a send needs from the
database, `prepare` reads first, for the whole batch in one query, in the job's thread.
A transport made for a batch may keep connections open across its sends (one SMTP
session per thread); `close` ends them when the batch is done.
"""

from abc import ABC, abstractmethod

from agentmatch.notifications.models import Channel, Message


class TransportError(Exception):
    def __init__(self, message: str, permanent: bool = False, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code  # the provider's error code, when it gave one (Twilio's 21610, ...)


class Transport(ABC):
    def prepare(self, messages: list[Message]) -> None:  # noqa: B027 (optional step)
        """Reads what sending these messages needs from the database (nothing, by default)."""

    @abstractmethod
    def send(self, message: Message) -> str:
        """Hands the message to the provider; returns its id for it (may be empty)."""

    def close(self) -> None:  # noqa: B027 (optional step)
        """Ends what the sends kept open (nothing, by default)."""


def transport_for(channel: str) -> Transport:
    # Imported here so a channel's dependencies load only when it is used.
    if channel == Channel.EMAIL:
        from agentmatch.notifications.transports.email import EmailTransport

        return EmailTransport()
    if channel == Channel.SMS:
        from agentmatch.notifications.transports.sms import sms_transport

        return sms_transport()
    if channel == Channel.PUSH:
        from agentmatch.notifications.transports.push import PushTransport

        return PushTransport()
    raise TransportError(f"unknown channel {channel!r}", permanent=True)
