"""Forgetting consumers whose referral ended long enough ago: one action, any number of
workers.

Each call anonymises one batch in one durable transaction: it claims due referrals with
SELECT ... FOR UPDATE SKIP LOCKED (on PostgreSQL two workers take different rows; on
SQLite the IMMEDIATE transaction already serialises writers), reads again under the locks
which are still due (a follow-up recorded a moment ago keeps one), anonymises each with a
conditional update checked by row count (a second run changes nothing), clears the copies
the outbox and the follow-ups keep, and writes one `anonymised` ReferralEvent per
referral: the audit row, without the data.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from agentmatch.notifications.forgetting import forget_messages_about
from agentmatch.referrals.event_details import in_english
from agentmatch.referrals.forgetting import anonymise_referral
from agentmatch.referrals.models import EventKind, ReferralEvent
from agentmatch.retention.queries import due_referrals, retention_days
from agentmatch.workspace.forgetting import forget_follow_up_notes

log = logging.getLogger("agentmatch.retention")

BATCH = 100


@dataclass(frozen=True)
class Forgotten:
    referrals: int = 0
    messages: int = 0
    delivery_attempts: int = 0
    follow_up_notes: int = 0


def anonymise_ended_referrals(*, now: datetime, batch: int = BATCH) -> Forgotten:
    """Anonymises up to `batch` referrals past retention; Forgotten() when none is due."""
    days = retention_days()
    with transaction.atomic(durable=True):
        claimed = list(
            due_referrals(now)
            .select_for_update(skip_locked=True)
            .order_by("ended_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not claimed:
            return Forgotten()
        # A new statement, a fresh snapshot: a follow-up committed after the claim's
        # snapshot and before its lock is seen here.
        due = list(due_referrals(now).filter(pk__in=claimed).order_by("pk"))
        done = [referral.pk for referral in due if anonymise_referral(referral=referral, now=now)]
        if not done:
            return Forgotten()
        messages, attempts = forget_messages_about(referral_ids=done)
        notes = forget_follow_up_notes(referral_ids=done)
        ReferralEvent.objects.bulk_create(
            ReferralEvent(
                referral_id=pk,
                kind=EventKind.ANONYMISED,
                at=now,
                code="contact_details_removed",
                params={"days": days},
                detail=in_english("contact_details_removed", {"days": days}),
            )
            for pk in done
        )
    forgotten = Forgotten(
        referrals=len(done), messages=messages, delivery_attempts=attempts, follow_up_notes=notes
    )
    log.info(
        "anonymised %d ended referrals (%d messages, %d delivery attempts, %d follow-up notes)",
        forgotten.referrals,
        forgotten.messages,
        forgotten.delivery_attempts,
        forgotten.follow_up_notes,
    )
    return forgotten
