"""The workspace's part of forgetting a consumer (retention.actions composes the steps).

An agent's follow-up notes are free text (a reason, a Marketplace application ID) that may
name the consumer; they go with the contact details. The statuses and their times stay
for statistics. A step, never committing.
"""

from collections.abc import Sequence

from agentmatch.workspace.models import FollowUp

# A placeholder, not "": a Deferred follow-up must have a reason and an Enrolled one an
# application ID (the table's constraints). Pages say "Removed" in the reader's language.
REMOVED = "[removed]"


def forget_follow_up_notes(*, referral_ids: Sequence[int]) -> int:
    """Replaces the reasons and application IDs of these referrals' follow-ups; returns how
    many follow-ups held one."""
    rows = FollowUp.objects.filter(referral_id__in=referral_ids)
    with_reason = set(rows.exclude(reason="").values_list("pk", flat=True))
    with_id = set(rows.exclude(application_id="").values_list("pk", flat=True))
    FollowUp.objects.filter(pk__in=with_reason).update(reason=REMOVED)
    FollowUp.objects.filter(pk__in=with_id).update(application_id=REMOVED)
    return len(with_reason | with_id)


def follow_up_notes_of(referral_ids: Sequence[int]) -> int:
    """How many follow-ups of these referrals hold a note (for a dry run)."""
    rows = FollowUp.objects.filter(referral_id__in=referral_ids)
    return rows.exclude(reason="", application_id="").count()
