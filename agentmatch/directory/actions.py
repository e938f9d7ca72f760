"""A consumer searches the directory: counted against the address's limit, then answered.

The one use case behind both doors (the /find-help/ page and GET /api/v1/directory).
"""

from datetime import datetime

from django.db import transaction

from agentmatch.directory.search import Search
from agentmatch.directory.services import DirectoryPage, find_listings
from agentmatch.referrals.limits import address_key, directory_limit, take_all


def search_directory(*, search: Search, client_address: str, now: datetime) -> DirectoryPage:
    """One page of results; raises referrals.limits.RateLimited past the address's limit.

    The count commits on its own (a refused search counts nowhere); the search itself only
    reads, outside it, so the counter row is locked for a moment only.
    """
    with transaction.atomic(durable=True):
        take_all(counts=[(directory_limit(), address_key(client_address))], now=now)
    return find_listings(search=search)
