import pytest
from django.db import connection

from agentmatch.testing import plan_year_2026


@pytest.fixture
def plan_year(db):  # type: ignore[no-untyped-def]
    return plan_year_2026()


@pytest.fixture(autouse=True)
def _fast_windows(settings):  # type: ignore[no-untyped-def]
    settings.OFFER_WINDOW_SECONDS = 900
    settings.MAX_WAIT_SECONDS = 3600
    settings.MAX_PENDING_OFFERS_PER_AGENT = 1
    # Real hashing costs about a second per password on a small machine; tests check
    # password rules and flows, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The delivery worker's per-process pause after a provider failure would leak from one
    # test into the next; tests of that pause turn it on themselves.
    settings.NOTIFY_CHANNEL_PAUSE_SECONDS = 0


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
