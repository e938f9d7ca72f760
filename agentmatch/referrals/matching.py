"""Choosing agents for a referral: who qualifies now, closest first.

Qualified means: routed for the consumer's state this plan year (eligible, display option
and state preferences allow it: see eligibility/rules.py), speaks the consumer's language,
available now, never offered this referral before, and holding fewer pending offers than
the per-agent limit. Order: great-circle distance between ZIP centroids, then whoever has
waited longest since their last offer.

Speed (see docs/benchmarks.md): ranking every qualified agent of a big state costs tens of
milliseconds. So the search runs over the routing index (eligibility.RoutingSlot: one row
per routed state and language, with location and availability) through each database's
spatial index, in referrals/nearest/: on PostgreSQL a GiST index walked nearest first, on
SQLite an R*Tree searched in a small box around the consumer, widened until the box
provably holds the closest `limit` agents. The result is the same as ranking everyone:
only the work differs. The qualified count recorded with each offer is the count inside
the smallest search box (SEARCH_RADII_MILES) holding the chosen agents, or in the state,
counted up to QUALIFIED_COUNT_CAP ("20+").
"""

import math
import time
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import ASin, Coalesce, Cos, Power, Radians, Sin, Sqrt

from agentmatch.agents.models import Agent, AgentLanguage
from agentmatch.core.geo import EARTH_RADIUS_MILES
from agentmatch.eligibility.models import RoutingSlot, RoutingState
from agentmatch.referrals.models import Offer, OfferStatus, Referral
from agentmatch.referrals.nearest import nearest
from agentmatch.referrals.nearest.sql import (
    QUALIFIED_COUNT_CAP,
    bounding_box,
    pending_offer_limit,
)

__all__ = ["bounding_box", "pending_offer_limit"]  # for directory, services and the tests

# Boxes tried (half-width in miles) before ranking the whole state, when it is crowded
# (SQLite); on PostgreSQL, the boxes an offer's qualified count may be taken over.
# Doubling: a miss costs one more query, but the query that settles it ranks a box four
# times the last one's area, not sixteen (a 40-mile box in a city holds a thousand agents).
SEARCH_RADII_MILES = (10.0, 20.0, 40.0, 80.0, 160.0, 640.0)
# Fewer available slots than this for a state and language: rank the whole state at once
# (cheaper than widening a box over and over in search of the few there are), and count
# the qualified over the state.
SPARSE_SLOTS = 400
# How long each process trusts its slot counts; they only choose where the search starts.
DENSITY_SECONDS = 60.0
_density: dict[tuple[str, str], int] = {}
_density_read_at = -DENSITY_SECONDS


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    rank: int
    distance_miles: float
    last_offered_at: datetime | None
    availability_changes_at: datetime | None
    # How many agents qualified in the search box that settled the ranking (a box
    # reaching search_radius_miles north, south, east and west of the consumer; the
    # whole state when None).
    qualified_agents: int
    search_radius_miles: float | None = None

    @property
    def qualified_at_least(self) -> bool:
        """The count stopped at its cap: at least that many qualified ("20+")."""
        return self.qualified_agents >= QUALIFIED_COUNT_CAP


def distance_expression(latitude: float, longitude: float):  # type: ignore[no-untyped-def]
    """Haversine distance in miles from a point to each agent's ZIP centroid, in SQL."""
    dlat = Radians(F("latitude") - Value(latitude))
    dlon = Radians(F("longitude") - Value(longitude))
    a = Power(Sin(dlat / 2), 2) + Value(math.cos(math.radians(latitude))) * Cos(
        Radians(F("latitude"))
    ) * Power(Sin(dlon / 2), 2)
    return Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(a))


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


def available_slots(state: str, language: str) -> int:
    """Roughly how many available agents take referrals in this state and language."""
    global _density_read_at
    if time.monotonic() - _density_read_at > DENSITY_SECONDS:
        rows = (
            RoutingSlot.objects.filter(is_available=True)
            .values_list("state", "language")
            .annotate(n=Count("pk"))
            .order_by()
        )
        _density.clear()
        _density.update({(state_, language_): n for state_, language_, n in rows})
        _density_read_at = time.monotonic()
    return _density.get((state, language), 0)


def find_candidates(*, referral: Referral, limit: int = 5) -> list[Candidate]:
    """The closest `limit` qualified agents, in routing order.

    Each database's spatial index finds them (referrals/nearest/), touching only slots of
    the referral's state and language near the consumer, so the cost does not grow with
    the state.
    """
    sparse = available_slots(referral.state, referral.language) < SPARSE_SLOTS
    ranking = nearest(referral=referral, limit=limit, radii=() if sparse else SEARCH_RADII_MILES)
    return [
        Candidate(
            agent_id=pk,
            rank=rank,
            distance_miles=float(distance),
            last_offered_at=last_offered_at,
            availability_changes_at=changes_at,
            qualified_agents=ranking.qualified,
            search_radius_miles=ranking.radius_miles,
        )
        for rank, (pk, distance, last_offered_at, changes_at) in enumerate(ranking.rows, 1)
    ]
