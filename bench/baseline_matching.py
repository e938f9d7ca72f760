"""find_candidates as it was before the bounding-box work (commit f0f0f72), for A/B runs.

Ranks every qualified agent in SQL with a window count; routing.py --compare times it
against the current one on the same referrals and checks that both pick the same agents.
"""

from typing import Any

from django.db.models import Count, F, Window

from agentmatch.referrals.matching import distance_expression, qualified_agents
from agentmatch.referrals.models import Referral


def find_candidates(*, referral: Referral, limit: int = 5) -> list[tuple[Any, ...]]:
    """(agent id, distance, qualified count) of the closest `limit`, in routing order."""
    return list(
        qualified_agents(referral)
        .annotate(
            distance=distance_expression(referral.latitude, referral.longitude),
            qualified=Window(Count("pk")),
        )
        .order_by("distance", F("last_offered_at").asc(nulls_first=True), "pk")
        .values_list("pk", "distance", "qualified")[:limit]
    )
