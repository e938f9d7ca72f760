"""Notification jobs for the worker loop (registered in NotificationsConfig.ready())."""

from datetime import datetime

from agentmatch.notifications.delivery import deliver_due


def deliver_message_job(now: datetime) -> int:
    """Sends a batch of due outbox messages; 0 when none is due (the loop moves on)."""
    return deliver_due(now)
