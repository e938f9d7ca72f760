"""Which referrals have outlived their purpose, and what forgetting them would remove.

A referral ends when it leaves the open statuses: accepted (handed to an agent), unmatched
(nobody available, or the wait ran out) or canceled by the consumer; `ended_at` says when.
An accepted referral is still the agent's work while they record follow-ups, so its
clock starts at the later of the acceptance and the agent's last follow-up. Its contact
details are kept CONSUMER_DATA_RETENTION_DAYS after that, then anonymised.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from agentmatch.notifications.forgetting import attempts_about, messages_about
from agentmatch.referrals.forgetting import idempotency_keys_of
from agentmatch.referrals.models import ENDED_STATUSES, Referral
from agentmatch.workspace.forgetting import follow_up_notes_of
from agentmatch.workspace.models import FollowUp


def retention_days() -> int:
    return int(settings.CONSUMER_DATA_RETENTION_DAYS)


def keep_after(now: datetime) -> datetime:
    """Referrals whose last activity is after this keep their contact details."""
    return now - timedelta(days=retention_days())


def due_referrals(now: datetime) -> QuerySet[Referral]:
    """Ended referrals, not anonymised yet, with nothing happening to them since the
    retention period began (partial index referrals_to_anonymise)."""
    cutoff = keep_after(now)
    recent_follow_up = FollowUp.objects.filter(referral=OuterRef("pk"), at__gt=cutoff)
    return Referral.objects.filter(
        anonymised_at__isnull=True, status__in=ENDED_STATUSES, ended_at__lte=cutoff
    ).filter(~Exists(recent_follow_up))


@dataclass(frozen=True)
class Preview:
    """What a run would remove, as counts: a dry run never prints the data itself."""

    referrals: int
    messages: int
    delivery_attempts: int
    follow_up_notes: int
    idempotency_keys: int


def preview(now: datetime) -> Preview:
    ids = list(due_referrals(now).values_list("pk", flat=True))
    return Preview(
        referrals=len(ids),
        messages=messages_about(ids).count(),
        delivery_attempts=attempts_about(ids).count(),
        follow_up_notes=follow_up_notes_of(ids),
        idempotency_keys=idempotency_keys_of(ids),
    )
