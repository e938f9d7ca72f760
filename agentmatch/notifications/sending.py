"""Sending a claimed batch side by side: the provider's answer for each message.

Providers answer in tens to hundreds of milliseconds (Twilio's API, a push service, an
SMTP relay), so one message after another would leave the worker waiting most of the
time. Sends run in a small thread pool (NOTIFY_SEND_THREADS) shared by the process; each
channel's transport is made once per batch, reads what it needs from the database first
(Transport.prepare, in this thread) and keeps its connections open across the batch.

While a channel's provider is failing (down, timing out), this process leaves that
channel alone for a few seconds, doubling up to a minute (ChannelBreaker), so that a
provider that answers only after its timeout cannot hold up the other channels or the
routing jobs that share the worker loop. Sends of that channel not yet started when one
fails for a passing reason are not attempted (`Result.released`): a provider that times
out costs one round of timeouts, not one per message.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from agentmatch.notifications.models import Message
from agentmatch.notifications.transports import Transport, TransportError, transport_for

log = logging.getLogger("agentmatch.notifications")


class ChannelBreaker:
    """Per process: after a temporary failure, skip that channel for a while."""

    MAX_PAUSE_SECONDS = 60.0

    def __init__(self) -> None:
        self.failures: dict[str, int] = {}
        self.until: dict[str, float] = {}
        self._lock = threading.Lock()  # the sending threads report to it

    def paused(self) -> list[str]:
        # The monotonic clock, not the job's `now`: tests may move `now` anywhere.
        clock = time.monotonic()
        with self._lock:
            return [channel for channel, until in self.until.items() if until > clock]

    def is_paused(self, channel: str) -> bool:
        # Asked before every send: one lookup, not the whole list.
        with self._lock:
            return self.until.get(channel, 0.0) > time.monotonic()

    @classmethod
    def pause_seconds(cls, failures: int) -> float:
        """How long a channel is skipped after its `failures`-th temporary failure in a row
        (also what the outbox page estimates from the attempts: notifications/health.py)."""
        if failures < 1:
            return 0.0
        pause = settings.NOTIFY_CHANNEL_PAUSE_SECONDS * 2 ** (failures - 1)
        return min(cls.MAX_PAUSE_SECONDS, pause)

    def failed(self, channel: str) -> None:
        with self._lock:
            count = self.failures[channel] = self.failures.get(channel, 0) + 1
            self.until[channel] = time.monotonic() + self.pause_seconds(count)

    def succeeded(self, channel: str) -> None:
        with self._lock:
            self.failures.pop(channel, None)
            self.until.pop(channel, None)

    def reset(self) -> None:
        with self._lock:
            self.failures.clear()
            self.until.clear()


breaker = ChannelBreaker()


@dataclass(frozen=True)
class Result:
    message: Message
    seconds: float  # from the batch's start to the provider's answer
    provider_id: str = ""
    error: TransportError | None = None
    released: bool = False  # not attempted: its channel was paused meanwhile


_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """The process's sending threads, made on first use (and again if resized)."""
    global _pool, _pool_size
    size = max(1, settings.NOTIFY_SEND_THREADS)
    with _pool_lock:
        if _pool is None or _pool_size != size:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="send")
            _pool_size = size
        return _pool


def send_all(messages: list[Message]) -> list[Result]:
    """Sends every message; the results come back in the messages' order."""
    start = time.monotonic()
    transports: dict[str, Transport | TransportError] = {}
    for channel in {m.channel for m in messages}:
        try:
            transport = transport_for(channel)
            transport.prepare([m for m in messages if m.channel == channel])
            transports[channel] = transport
        except TransportError as exc:
            transports[channel] = exc

    def one(message: Message) -> Result:
        transport = transports[message.channel]
        if isinstance(transport, TransportError):
            return Result(message, time.monotonic() - start, error=transport)
        if breaker.is_paused(message.channel):
            return Result(message, time.monotonic() - start, released=True)
        try:
            provider_id = transport.send(message)
        except Exception as exc:
            if not isinstance(exc, TransportError):
                # A bug in a transport must not stop the worker or lose the message.
                log.exception("unexpected error sending message %s", message.pk)
                exc = TransportError(f"unexpected: {exc!r}")
            if not exc.permanent:
                breaker.failed(message.channel)
            return Result(message, time.monotonic() - start, error=exc)
        breaker.succeeded(message.channel)
        return Result(message, time.monotonic() - start, provider_id=provider_id)

    def in_pool(message: Message) -> Result:
        try:
            return one(message)
        finally:
            # A transport must not use the database in a send; if one did, the connection
            # belongs to this pool thread and would be left open: close it.
            connections.close_all()

    try:
        if len(messages) == 1:
            results = [one(messages[0])]
        else:
            results = list(_executor().map(in_pool, messages))
    finally:
        for made in transports.values():
            if isinstance(made, Transport):
                made.close()
    return results
