"""How a message leaves us: one small transport per channel behind one interface.

A transport sends one outbox Message and returns the provider's id for it, or raises
TransportError. `permanent=True` means retrying cannot help (invalid number, unsubscribed,
expired push subscription); anything else is retried with backoff by the delivery job.
Transports do not write to the database: the delivery job records every outcome.
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
    @abstractmethod
    def send(self, message: Message) -> str:
        """Hands the message to the provider; returns its id for it (may be empty)."""


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
