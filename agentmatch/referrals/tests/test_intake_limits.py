"""The intake's rate-limit counters: fixed windows, per key, safe under concurrency."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from agentmatch.referrals.limits import Limit, address_key, forget_old_counters, seconds_left, take
from agentmatch.referrals.models import IntakeCounter
from agentmatch.testing import at_the_same_moment


@pytest.mark.django_db
def test_windows_end_and_old_counters_go():
    limit = Limit("phone", 1, 3600)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        assert take(limit=limit, value="+16085550199", now=start)
        assert not take(limit=limit, value="+16085550199", now=start + timedelta(minutes=59))
        assert take(limit=limit, value="+16085550199", now=start + timedelta(minutes=60))
    assert forget_old_counters(now=start + timedelta(hours=1, minutes=59)) == 1
    assert IntakeCounter.objects.count() == 1


def test_ipv6_clients_are_counted_per_64_block():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::2")
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("203.0.113.9") == "203.0.113.9"


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_when_requests_arrive_at_the_same_moment():
    """Eight processes' worth of simultaneous requests for one phone: exactly the limit pass."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
        pytest.skip("needs a database shared between threads")
    limit = Limit("phone", 3, 3600)
    now = timezone.now()

    def one_request(_i: int) -> bool:
        with transaction.atomic():
            return take(limit=limit, value="+16085550199", now=now)

    results = at_the_same_moment(8, one_request)
    assert sorted(results) == [False] * 5 + [True] * 3
    assert IntakeCounter.objects.get().count == 3


def test_retry_after_is_the_time_left_in_the_window():
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    limit = Limit("phone", 1, 3600)
    assert seconds_left(limit, start) == 3600
    assert seconds_left(limit, start + timedelta(minutes=59, seconds=30)) == 30
