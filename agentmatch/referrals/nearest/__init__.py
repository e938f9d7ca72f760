"""The closest qualified agents to a referral, by each database's own spatial index.

One function, `nearest`; the database's vendor picks the module (PostgreSQL: a GiST
k-nearest-neighbour scan; SQLite: widening boxes over an R*Tree). Both answer exactly
what ranking every qualified agent by great-circle distance would (referrals tests
test_nearest_index.py compare them with that brute force).
"""

from django.db import connection

from agentmatch.referrals.models import Referral
from agentmatch.referrals.nearest import postgresql, sqlite
from agentmatch.referrals.nearest.sql import Ranking


def nearest(*, referral: Referral, limit: int, radii: tuple[float, ...]) -> Ranking:
    """The closest `limit` qualified agents, nearest first (ties: longest wait, then id).

    `radii`: the search boxes (half-widths in miles) the offer's record may name as the
    one that settled the search; empty to count over the whole state.
    """
    backend = postgresql if connection.vendor == "postgresql" else sqlite
    return backend.nearest(referral=referral, limit=limit, radii=radii)
