"""The default retry schedule outlasts a provider outage of several hours."""

from datetime import timedelta

from django.conf import settings

from agentmatch.notifications.recording import retry_delay


def test_default_retries_cover_at_least_four_hours(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The shortest schedule jitter can produce (every delay at half its ceiling).
    monkeypatch.setattr("agentmatch.notifications.recording.random.random", lambda: 0.0)
    total = sum(
        (retry_delay(attempt) for attempt in range(1, settings.NOTIFY_MAX_ATTEMPTS)),
        timedelta(),
    )
    assert total >= timedelta(hours=4)
