"""What the workspace pages read: an agent's offers, accepted referrals and history."""

from datetime import date, datetime, time, tzinfo
from typing import Any
from uuid import UUID

from django.db.models import OuterRef, Q, QuerySet, Subquery

from agentmatch.agents.models import Agent
from agentmatch.referrals.models import Offer, OfferStatus, Referral
from agentmatch.workspace.models import OPEN_FOLLOW_UPS, FollowUp

NO_FOLLOW_UP = "none"


def pending_offers(*, agent: Agent, now: datetime) -> list[Offer]:
    """Offers still open for the agent's answer; a lapsed one is gone before the worker runs."""
    return list(
        Offer.objects.filter(agent=agent, status=OfferStatus.PENDING, expires_at__gt=now)
        .select_related("referral")
        .order_by("expires_at", "pk")
    )


def pending_count(*, agent_id: int, now: datetime) -> int:
    return Offer.objects.filter(
        agent_id=agent_id, status=OfferStatus.PENDING, expires_at__gt=now
    ).count()


def offers_digest(offers: list[Offer]) -> str:
    """Names the list shown, so a poll that finds the same list changes nothing on the page."""
    return "-".join(str(o.pk) for o in offers) or "0"


def with_follow_up(offers: QuerySet[Offer]) -> QuerySet[Any]:
    """Adds the agent's current follow-up status (`follow_up_status`, None if not set)."""
    current = FollowUp.objects.filter(
        referral=OuterRef("referral"), agent=OuterRef("agent"), is_current=True
    )
    return offers.annotate(
        follow_up_status=Subquery(current.values("status")[:1]),
        follow_up_at=Subquery(current.values("at")[:1]),
    )


def open_accepted(*, agent: Agent, limit: int = 50) -> list[Any]:
    """Accepted referrals still being worked: no follow-up yet, contacted, quoted, deferred."""
    offers = with_follow_up(
        # An anonymised referral's work is over: it lives in the history only.
        Offer.objects.filter(
            agent=agent, status=OfferStatus.ACCEPTED, referral__anonymised_at__isnull=True
        ).select_related("referral")
    )
    return list(
        offers.filter(
            Q(follow_up_status__isnull=True) | Q(follow_up_status__in=OPEN_FOLLOW_UPS)
        ).order_by("-responded_at", "-pk")[:limit]
    )


def history(
    *,
    agent: Agent,
    tz: tzinfo,
    outcome: str = "",
    follow_up: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Any]:
    """Every offer made to the agent, newest first, filtered; dates in the agent's zone."""
    offers = with_follow_up(Offer.objects.filter(agent=agent).select_related("referral"))
    if outcome:
        offers = offers.filter(status=outcome)
    if follow_up == NO_FOLLOW_UP:
        offers = offers.filter(follow_up_status__isnull=True)
    elif follow_up:
        offers = offers.filter(follow_up_status=follow_up)
    if date_from:
        offers = offers.filter(offered_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        offers = offers.filter(offered_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return offers.order_by("-offered_at", "-pk")


def history_after(offers: QuerySet[Any], *, offered_at: datetime, pk: int) -> QuerySet[Any]:
    """The rows of `history` that come after the row (offered_at, pk) in its order.

    A position, not a page number: offers made after the walk began sort before it, so
    a client walking the pages sees every row once even while new ones arrive.
    """
    return offers.filter(Q(offered_at__lt=offered_at) | Q(offered_at=offered_at, pk__lt=pk))


def accepted_referral(*, public_id: UUID, agent: Agent) -> Referral | None:
    """The referral, if this agent accepted it; None for any other (unknown or not theirs)."""
    return Referral.objects.filter(
        public_id=public_id, offers__agent=agent, offers__status=OfferStatus.ACCEPTED
    ).first()
