"""The webhooks' worker jobs (registered in WebhooksConfig.ready())."""

from datetime import datetime

from agentmatch.webhooks.actions import delete_old_deliveries
from agentmatch.webhooks.delivery import deliver_one
from agentmatch.webhooks.fanout import SOURCES, fan_out_source, has_subscribers, skip_unsubscribed


def fan_out_job(now: datetime) -> bool:
    """One batch of each source; False when no source moved (the loop moves on).

    With no active subscription the cursors skip to the newest events unread, and the
    job reports nothing done (there was nothing to deliver)."""
    if not has_subscribers():
        for source in SOURCES:
            skip_unsubscribed(source)
        return False
    return sum(fan_out_source(source, now=now) for source in SOURCES) > 0


def deliver_webhook_job(now: datetime) -> bool:
    return deliver_one(now)


def tidy_job(now: datetime) -> int:
    return delete_old_deliveries(now=now)
