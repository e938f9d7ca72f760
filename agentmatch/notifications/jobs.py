"""Notification jobs for the worker loop (registered in NotificationsConfig.ready())."""

from datetime import datetime

from agentmatch.notifications.delivery import deliver_one


def deliver_message_job(now: datetime) -> bool:
    """Sends one due outbox message; False when none is due (the loop moves on)."""
    return deliver_one(now)
