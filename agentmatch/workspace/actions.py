"""The workspace's use cases: each owns its transaction; views and jobs only call them.

The agent's answer to an offer is not here: every door calls referrals' `answer_offer`.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from agentmatch.agents.models import Agent
from agentmatch.core.csv_export import in_chunks
from agentmatch.notifications.undeliverable import describe, undeliverable
from agentmatch.referrals.models import (
    ContactDisclosure,
    Offer,
    OfferStatus,
    Referral,
    ReferralStatus,
)
from agentmatch.referrals.services import disclose_contact
from agentmatch.workspace import queries
from agentmatch.workspace.models import ContactReminder, FollowUp
from agentmatch.workspace.reminders import due_reminder_offers, enqueue_reminder
from agentmatch.workspace.services import (
    FollowUpInput,
    accepted_offer,
    current_follow_up,
    needs_contact_reminder,
    reminder_delay,
    set_follow_up,
)

log = logging.getLogger("agentmatch.worker")
# Due reminders read per claim: enough that several workers each find one not held.
REMINDER_CANDIDATES = 10


def show_contact_details(
    *, offers: Iterable[Offer], agent: Agent, now: datetime, channel: str
) -> None:
    """Every display of a consumer's contact details is one audited disclosure."""
    with transaction.atomic(durable=True):
        for offer in offers:
            disclose_contact(
                referral=offer.referral, agent=agent, now=now, channel=channel, context="view"
            )


def open_accepted_referrals(*, agent: Agent, now: datetime, channel: str) -> list[Any]:
    """The accepted referrals the agent is still working, as "Manage Referrals" and the
    API list them: each offer carries `needs_reminder` and `contact_by`, and each one
    listed (with the consumer's contact details) is one audited disclosure."""
    accepted = queries.open_accepted(agent=agent)
    for offer in accepted:
        offer.needs_reminder = needs_contact_reminder(
            offer=offer, has_follow_up=offer.follow_up_status is not None, now=now
        )
        offer.contact_by = (offer.responded_at or now) + reminder_delay()
    show_contact_details(offers=accepted, agent=agent, now=now, channel=channel)
    return accepted


@dataclass(frozen=True)
class AcceptedReferral:
    """One referral as its accepting agent sees it (the workspace page, the API)."""

    referral: Referral
    offer: Offer
    current: FollowUp | None
    history: list[FollowUp]
    needs_reminder: bool
    contact_by: datetime | None
    texts_undelivered: str  # why texts to the consumer's phone fail; "" when they do not

    @property
    def details_removed(self) -> bool:
        return self.referral.anonymised_at is not None


def open_referral(
    *, public_id: UUID, agent: Agent, now: datetime, channel: str
) -> AcceptedReferral | None:
    """A referral the agent accepted, with its follow-ups; None for any other referral
    (unknown, someone else's, offered but not accepted: the caller answers "not found").
    Showing its contact details (while they exist) is one audited disclosure."""
    referral = Referral.objects.filter(public_id=public_id).first()
    offer = accepted_offer(referral=referral, agent=agent) if referral is not None else None
    if referral is None or offer is None:
        return None
    current = current_follow_up(referral=referral, agent=agent)
    if referral.anonymised_at is None:
        show_contact_details(offers=[offer], agent=agent, now=now, channel=channel)
    phone_mark = undeliverable(referral.phone)
    return AcceptedReferral(
        referral=referral,
        offer=offer,
        current=current,
        history=list(
            FollowUp.objects.filter(referral=referral, agent=agent).order_by("-at", "-pk")
        ),
        needs_reminder=referral.anonymised_at is None
        and needs_contact_reminder(offer=offer, has_follow_up=current is not None, now=now),
        contact_by=offer.responded_at + reminder_delay() if offer.responded_at else None,
        texts_undelivered=describe(phone_mark.error_code) if phone_mark else "",
    )


def record_follow_up(
    *, referral: Referral, agent: Agent, data: FollowUpInput, now: datetime
) -> FollowUp:
    """The accepting agent's new follow-up status; raises FollowUpError naming the field."""
    with transaction.atomic(durable=True):
        return set_follow_up(referral=referral, agent=agent, data=data, now=now)


def send_due_contact_reminder(*, now: datetime) -> bool:
    """Reminds one agent about one consumer not contacted in time; False when none is due.

    Claims the referral with SKIP LOCKED (set_follow_up takes the same lock), and the
    ContactReminder row, unique per offer, is the proof it was sent: a second worker that
    got past the query before the first committed fails on that key and sends nothing.
    """
    with transaction.atomic(durable=True):
        # The due offers first, oldest deadline first (the offers_due index), then one of
        # their referrals locked. As one statement, the planner took a semi-join in
        # primary-key order, thinking it would stop early, and read every accepted offer
        # ever made: 26 ms an empty check with 80,000 in the table (0.5 ms this way), and
        # the worker checks in every turn.
        due = list(
            due_reminder_offers(now)
            .order_by("expires_at")
            .values_list("referral_id", flat=True)[:REMINDER_CANDIDATES]
        )
        if not due:
            return False
        referral = (
            Referral.objects.select_for_update(skip_locked=True)
            .filter(status=ReferralStatus.ACCEPTED, pk__in=due)
            .order_by("pk")
            .first()
        )
        if referral is None:
            return False  # each held by another worker, which sends it
        # Read again under the lock: a follow-up recorded meanwhile cancels the reminder.
        offer = due_reminder_offers(now).filter(referral=referral).select_related("agent").first()
        if offer is None:
            return True
        offer.referral = referral
        try:
            with transaction.atomic():
                reminder = ContactReminder.objects.create(
                    offer=offer, agent=offer.agent, sent_at=now
                )
        except IntegrityError:
            # Another worker sent it between our query and our lock.
            return True
        reminder.messages = enqueue_reminder(offer=offer, now=now)
        reminder.save(update_fields=["messages"])
    log.info("contact reminder for referral %s to agent %s", referral.public_id, offer.agent_id)
    return True


HISTORY_COLUMNS = [
    "offered_at",
    "city",
    "state",
    "zip_code",
    "language",
    "outcome",
    "answered_at",
    "follow_up",
    "first_name",
    "last_name",
    "phone",
    "email",
]


def export_history(
    *, agent: Agent, offers: QuerySet[Any], now: datetime, channel: str
) -> Iterator[Sequence[Any]]:
    """The agent's own history as rows. A referral they accepted carries the consumer's
    contact details (theirs to see, as on its page), and each such referral in the file
    is one audited disclosure, recorded before the rows are read."""
    shown = offers.filter(status=OfferStatus.ACCEPTED, referral__anonymised_at__isnull=True)
    with transaction.atomic(durable=True):
        ContactDisclosure.objects.bulk_create(
            ContactDisclosure(
                referral_id=referral_id, agent=agent, at=now, channel=channel, context="export"
            )
            for referral_id in shown.values_list("referral_id", flat=True).distinct()
        )
    return (_history_row(offer) for offer in in_chunks(offers))


def _history_row(offer: Any) -> list[Any]:
    referral = offer.referral
    removed = referral.anonymised_at is not None
    contact = offer.status == OfferStatus.ACCEPTED and not removed
    return [
        offer.offered_at,
        "" if removed else referral.city,
        referral.state,
        "" if removed else referral.zip_code,
        referral.language,
        offer.status,
        offer.responded_at,
        offer.follow_up_status or "",
        *(
            [referral.first_name, referral.last_name, referral.phone, referral.email]
            if contact
            else ["", "", "", ""]
        ),
    ]
