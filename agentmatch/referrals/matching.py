"""Choosing agents for a referral: who qualifies now, closest first.

Qualified means: routed for the consumer's state this plan year (eligible, display option
and state preferences allow it: see eligibility/rules.py), speaks the consumer's language,
available now, never offered this referral before, and holding fewer pending offers than
the per-agent limit. Order: great-circle distance between ZIP centroids, then whoever has
waited longest since their last offer.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Subquery, Value, Window
from django.db.models.functions import ASin, Coalesce, Cos, Power, Radians, Sin, Sqrt

from agentmatch.agents.models import Agent, AgentLanguage
from agentmatch.core.geo import EARTH_RADIUS_MILES
from agentmatch.eligibility.models import RoutingState
from agentmatch.referrals.models import Offer, OfferStatus, Referral


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    rank: int
    distance_miles: float
    last_offered_at: datetime | None
    availability_changes_at: datetime | None
    qualified_agents: int


def distance_expression(latitude: float, longitude: float):  # type: ignore[no-untyped-def]
    """Haversine distance in miles from a point to each agent's ZIP centroid, in SQL."""
    dlat = Radians(F("latitude") - Value(latitude))
    dlon = Radians(F("longitude") - Value(longitude))
    a = Power(Sin(dlat / 2), 2) + Value(math.cos(math.radians(latitude))) * Cos(
        Radians(F("latitude"))
    ) * Power(Sin(dlon / 2), 2)
    return Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(a))


def pending_offer_limit() -> int:
    return max(1, settings.MAX_PENDING_OFFERS_PER_AGENT)


def qualified_agents(referral: Referral):  # type: ignore[no-untyped-def]
    routed = RoutingState.objects.filter(agent=OuterRef("pk"), state=referral.state)
    speaks = AgentLanguage.objects.filter(agent=OuterRef("pk"), language=referral.language)
    offered_before = Offer.objects.filter(referral=referral, agent=OuterRef("pk"))
    qs = Agent.objects.filter(Exists(routed), Exists(speaks), is_available=True).exclude(
        Exists(offered_before)
    )
    limit = pending_offer_limit()
    pending = Offer.objects.filter(agent=OuterRef("pk"), status=OfferStatus.PENDING)
    if limit == 1:
        return qs.exclude(Exists(pending))
    counted = pending.order_by().values("agent").annotate(n=Count("pk")).values("n")
    return qs.annotate(pending_offers=Coalesce(Subquery(counted), 0)).filter(
        pending_offers__lt=limit
    )


def find_candidates(*, referral: Referral, limit: int = 5) -> list[Candidate]:
    rows = (
        qualified_agents(referral)
        .annotate(
            distance=distance_expression(referral.latitude, referral.longitude),
            qualified=Window(Count("pk")),
        )
        .order_by("distance", F("last_offered_at").asc(nulls_first=True), "pk")
        .values_list("pk", "distance", "last_offered_at", "availability_changes_at", "qualified")[
            :limit
        ]
    )
    return [
        Candidate(
            agent_id=pk,
            rank=rank,
            distance_miles=float(distance),
            last_offered_at=last_offered_at,
            availability_changes_at=changes_at,
            qualified_agents=qualified,
        )
        for rank, (pk, distance, last_offered_at, changes_at, qualified) in enumerate(rows, 1)
    ]
