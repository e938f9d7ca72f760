"""Loopback peers (SMTP, Twilio stub, Web Push stub) as fixtures for every test here."""

from collections.abc import Iterator

import pytest

from agentmatch.notifications.delivery import breaker
from agentmatch.notifications.tests.stubs import push_service, smtp, twilio

__all__ = ["push_service", "smtp", "twilio"]


@pytest.fixture(autouse=True)
def _no_channel_pauses(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Every channel open, and no pause after a failure unless a test asks for it (the
    breaker is per process; tests of retries look at one message's attempts)."""
    settings.NOTIFY_CHANNEL_PAUSE_SECONDS = 0
    breaker.reset()
    yield
    breaker.reset()
