"""The offer clock's step: pending offers whose window has passed end, and their referrals
move on, a batch at a time.

Ten thousand offers can fall due in the same minute (a morning's referrals made at the
same moment of a campaign, say). Expired one by one, each took about 24 statements: the
offer, the agent's pause and its re-resolved availability, the event, the agent's
messages, the next offer. Here what does not depend on the next agent is done once for the
whole batch: the offers in one update, the agents paused in four statements, the events
in one insert, every message of the batch (missed offers and new offers) in one outbox
insert. What is left per referral is its routing (offer_next).
"""

from datetime import datetime

from django.conf import settings

from agentmatch.agents.services import MissedOfferPause
from agentmatch.core.planning import opaque
from agentmatch.eligibility.agent_facts import pause_for_missed_offers
from agentmatch.notifications.messages import one_insert, push_ids_of
from agentmatch.referrals.event_details import Params
from agentmatch.referrals.messages import notify_offer_missed
from agentmatch.referrals.models import EventKind, Offer, OfferStatus, Referral, ReferralEvent
from agentmatch.referrals.services import event_row, offer_next, offer_waiting_referrals


class OfferClockError(RuntimeError):
    """An invariant of the referral lock did not hold; the batch rolls back."""


def expire_offers(*, referrals: list[Referral], now: datetime) -> list[Offer]:
    """Ends each referral's pending offer whose window has passed, and moves it on.

    The caller holds every referral's lock (the worker claims them with SKIP LOCKED) in
    its transaction. Returns the offers expired, oldest deadline first.
    """
    by_id = {referral.pk: referral for referral in referrals}
    offers = list(
        Offer.objects.select_related("agent")
        .filter(referral_id__in=by_id, status=opaque(OfferStatus.PENDING), expires_at__lte=now)
        .order_by("expires_at", "pk")
    )
    if not offers:
        return []
    updated = Offer.objects.filter(
        pk__in=[offer.pk for offer in offers], status=opaque(OfferStatus.PENDING)
    ).update(status=OfferStatus.EXPIRED, responded_at=now)
    if updated != len(offers):
        # Every change to an offer takes its referral's lock first, and the caller holds it.
        raise OfferClockError(f"expired {updated} of {len(offers)} offers read under lock")
    for offer in offers:
        offer.referral = by_id[offer.referral_id]  # the locked row: not read again
        offer.status, offer.responded_at = OfferStatus.EXPIRED, now
    pauses: dict[int, MissedOfferPause] = {}
    if settings.PAUSE_AGENT_AFTER_MISSED_OFFER:
        # An agent who does not answer is probably away: switch them to red so the next
        # referrals do not each lose an offer window on them. Their mode (weekly hours or
        # on) is remembered: "I'm back" returns them to it.
        pauses = pause_for_missed_offers(agent_ids=[o.agent_id for o in offers], now=now)
    events = []
    told: set[int] = set()  # an agent with two offers in the batch is paused by the first
    for offer in offers:
        code, params = _expiry_reason(pauses.get(offer.agent_id), first=offer.agent_id not in told)
        told.add(offer.agent_id)
        events.append(
            event_row(
                offer.referral,
                EventKind.EXPIRED,
                now,
                offer=offer,
                agent=offer.agent,
                code=code,
                params=params,
            )
        )
    ReferralEvent.objects.bulk_create(events)
    push_ids = push_ids_of([offer.agent for offer in offers])
    with one_insert():
        for offer in offers:
            pause = pauses.get(offer.agent_id)
            notify_offer_missed(
                offer=offer,
                now=now,
                paused=_is_paused(offer, pause),
                mode=pause.mode_before_pause if pause else offer.agent.mode_before_pause,
                push_ids=push_ids.get(offer.agent_id),
                first_time=True,
            )
        for offer in offers:
            # Offers are made one at a time under the referral's lock, and the pending
            # one is the latest: the next is the one after it.
            offer_next(referral=offer.referral, now=now, position=offer.position + 1)
    # An agent left on (PAUSE_AGENT_AFTER_MISSED_OFFER off) has room again: a referral
    # waiting for them comes now rather than at the next sweep.
    free = {o.agent_id: o.agent for o in offers if not _is_paused(o, pauses.get(o.agent_id))}
    for agent in free.values():
        agent.refresh_from_db(fields=["is_available"])
        offer_waiting_referrals(now=now, agent=agent)
    return offers


def _is_paused(offer: Offer, pause: MissedOfferPause | None) -> bool:
    if pause is not None:
        return pause.is_paused
    # Pausing is off: an agent paused before it was turned off still is.
    return offer.agent.paused_after_missed_offer_at is not None


def _expiry_reason(pause: MissedOfferPause | None, *, first: bool) -> tuple[str, Params]:
    """The expiry event's code and params (event_details.CATALOG)."""
    if pause is not None and pause.paused_now and first:
        return "offer_window_passed_paused", {"was": pause.mode_before_pause}
    if pause is not None and pause.is_paused:
        return "offer_window_passed_already_paused", {}
    return "offer_window_passed", {}
