"""The retention sweep (registered in RetentionConfig.ready()): every sweep interval the
worker anonymises one batch of referrals past retention. A backlog (a first run on old
data) drains a batch a sweep, so no transaction grows large."""

from datetime import datetime

from agentmatch.core.jobs import SWEEP, register
from agentmatch.retention.actions import anonymise_ended_referrals


def anonymise_one_batch(now: datetime) -> int:
    return anonymise_ended_referrals(now=now).referrals


def register_jobs() -> None:
    register("anonymise ended referrals", anonymise_one_batch, kind=SWEEP)
