"""The dashboard's daily roll-up (dashboard_rollup.py): the same figures as counting live.

The known data set (dashboard_data.py) is read through the roll-up, the live count, and
both at once; the figures must be identical, not close.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from agentmatch.operations.dashboard import Period, _split, dashboard
from agentmatch.operations.dashboard_rollup import roll_up, rolled_until
from agentmatch.operations.models import (
    AgentDay,
    DashboardDay,
    DashboardRollup,
    PlanYearSummary,
)
from agentmatch.operations.tests.dashboard_data import (
    ACC,
    REJ,
    make_known_day,
    make_offer,
    make_referral_at,
)
from agentmatch.referrals.models import Referral, ReferralStatus
from agentmatch.testing import at_the_same_moment

DAY = date(2026, 11, 20)
CHICAGO = ZoneInfo("America/Chicago")
LATER = datetime.combine(DAY + timedelta(days=5), time(12), tzinfo=UTC)


def _local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _end_the_waiting_request() -> None:
    Referral.objects.filter(status=ReferralStatus.WAITING).update(
        status=ReferralStatus.CANCELED,
        waiting_since=None,
        wait_expires_at=None,
        ended_at=LATER - timedelta(days=3),
    )


def _the_next_evening(agents: dict) -> None:  # type: ignore[type-arg]
    """Two more requests the next day: one at 10 a.m. and one at 7:30 p.m. (after
    midnight UTC in Chicago)."""
    for number, (hour, minute) in enumerate(((10, 0), (19, 30)), 50):
        referral = make_referral_at(
            _local(DAY + timedelta(days=1), hour, minute),
            state="WI",
            language="es",
            status=ReferralStatus.ACCEPTED,
            number=number,
        )
        make_offer(referral, agents["Bravo"], status=REJ, position=1, offered=0, settled=3)
        make_offer(referral, agents["Charlie"], status=ACC, position=2, offered=3, settled=11)


def _figures_rows() -> list[tuple[object, ...]]:
    return sorted(
        DashboardDay.objects.values_list(
            "day", "plan_year", "state", "language", "requests", "offers", "accept_seconds"
        )
    )


def test_the_roll_up_and_the_live_count_agree_over_a_period_spanning_both(plan_year) -> None:
    with timezone.override(CHICAGO):
        agents = make_known_day(DAY)
        _the_next_evening(agents)
        _end_the_waiting_request()
        while roll_up(LATER, max_days=2):  # the plan year's summary grows a run at a time
            pass
        period = Period(start=_local(DAY), end=_local(DAY + timedelta(days=2)))
        rolled, live = _split(period.start, period.end, rolled_until())
        # The known day's requests (from 9 a.m. Chicago) are before the first whole UTC
        # day of the period; the next day's 10 a.m. request is in it; its 7:30 p.m. one
        # is after the last whole UTC day.
        assert rolled == (DAY + timedelta(days=1), DAY + timedelta(days=2))
        assert live[0][0] == period.start and live[-1][1] == period.end
        both = dashboard(period)
        assert both == dashboard(period, rolled_up=False)
        assert both.total.requests == 12
        assert [(row.key, row.requests) for row in both.by_language] == [("en", 6), ("es", 6)]
        # A period wholly rolled up, and one with a plan year.
        everything = Period(
            start=_local(DAY - timedelta(days=3)), end=_local(DAY + timedelta(days=3))
        )
        assert dashboard(everything) == dashboard(everything, rolled_up=False)
        year = Period(start=everything.start, end=everything.end, plan_year=2026)
        assert dashboard(year).total.requests == 13
        # The plan year's view: its summary, and the days after it counted live.
        plan_year_view = Period(start=_local(date(2025, 11, 1)), end=everything.end, plan_year=2026)
        assert PlanYearSummary.objects.get(plan_year=2026).until == DAY + timedelta(days=5)
        assert dashboard(plan_year_view) == dashboard(plan_year_view, rolled_up=False)
        assert dashboard(plan_year_view).total.requests == 13
    # Ten hours ahead of UTC (Guam) and eleven behind (American Samoa): the same as live.
    for zone in ("Pacific/Guam", "Pacific/Pago_Pago"):
        with timezone.override(ZoneInfo(zone)):
            view = Period(
                start=_local(date(2025, 11, 1)), end=_local(DAY + timedelta(days=3)), plan_year=2026
            )
            assert dashboard(view) == dashboard(view, rolled_up=False)
        other = Period(start=everything.start, end=everything.end, plan_year=2025)
        assert dashboard(other) == dashboard(other, rolled_up=False)


def test_rolling_up_again_writes_the_same_rows(plan_year) -> None:
    make_known_day(DAY)
    _end_the_waiting_request()
    assert roll_up(LATER) == 6  # from the evening before (Nov 19) to Nov 24, today is Nov 25
    first = _figures_rows()
    agent_days = AgentDay.objects.count()
    assert roll_up(LATER) == 0  # nothing left to do
    DashboardDay.objects.all().delete()
    DashboardRollup.objects.update(rolled_until=None)
    assert roll_up(LATER) == 6
    assert _figures_rows() == first
    assert AgentDay.objects.count() == agent_days == 4  # Alpha on two days, Bravo, Charlie
    # The plan year's summary, summed again from the daily rows, counts each day once.
    plan_year_view = Period(
        start=_local(date(2025, 11, 1)), end=_local(LATER.date()), plan_year=2026
    )
    assert dashboard(plan_year_view) == dashboard(plan_year_view, rolled_up=False)
    assert dashboard(plan_year_view).total.requests == 11


def test_a_day_is_rolled_up_only_once_its_requests_have_ended(plan_year) -> None:
    make_known_day(DAY)  # one request of DAY still waits
    period = Period(start=_local(DAY - timedelta(days=1)), end=_local(DAY + timedelta(days=2)))
    roll_up(LATER)
    assert rolled_until() == DAY  # the evening before is rolled up, not the waiting day
    assert dashboard(period) == dashboard(period, rolled_up=False)
    _end_the_waiting_request()  # it ends after the day before was rolled up
    assert roll_up(LATER) == 5
    figures = dashboard(period)
    assert figures == dashboard(period, rolled_up=False)
    assert (figures.total.requests, figures.total.unmatched, figures.total.accepted) == (11, 2, 7)
    rolled, _live = _split(period.start, period.end, rolled_until())
    assert rolled == (DAY - timedelta(days=1), DAY + timedelta(days=2))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_rolling_up_at_once_write_each_day_once(plan_year) -> None:
    make_known_day(DAY)
    _end_the_waiting_request()

    def worker(_i: int) -> list[int]:
        return [roll_up(LATER, max_days=3), roll_up(LATER, max_days=3)]

    results = at_the_same_moment(2, worker)

    assert all(isinstance(result, list) for result in results), results
    # Six days, three a run: each rolled by one worker, the other finding them done.
    assert sorted(results[0] + results[1]) == [0, 0, 3, 3]
    assert rolled_until() == DAY + timedelta(days=5)
    rows = list(DashboardDay.objects.values_list("day", "plan_year", "state", "language"))
    assert len(rows) == len(set(rows)) == 4  # WI en the day before; WI en, TX es, TX en
