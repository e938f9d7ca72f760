"""resolve_availability: switch, weekly hours in the agent's own time zone, absences.

Chosen semantics (agents/availability.py): red switch = never available; green switch =
available at any hour except during an extended absence; "schedule" = inside weekly hours
and not on an absence. Windows are half-open: [start, end).
"""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from agentmatch.agents.availability import AbsenceWindow, HoursWindow, resolve_availability
from agentmatch.agents.schedule import ScheduleError
from agentmatch.agents.services import availability_of
from agentmatch.eligibility.agent_facts import set_availability

CHICAGO = "America/Chicago"
NEW_YORK = "America/New_York"
MONDAY = 0
NINE_TO_FIVE = [HoursWindow(MONDAY, time(9), time(17))]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def resolve(*, now, switch="schedule", tz=CHICAGO, hours=NINE_TO_FIVE, absences=()):  # type: ignore[no-untyped-def]
    return resolve_availability(
        switch=switch, time_zone=tz, hours=hours, absences=absences, now=now
    )


# Monday 2 March 2026: Chicago is UTC-6 (CST), New York UTC-5 (EST).
@pytest.mark.parametrize(
    ("now", "available"),
    [
        pytest.param(utc(2026, 3, 2, 14, 59), False, id="08:59_local_before_hours"),
        pytest.param(utc(2026, 3, 2, 15, 0), True, id="09:00_local_start_is_inside"),
        pytest.param(utc(2026, 3, 2, 22, 59), True, id="16:59_local"),
        pytest.param(utc(2026, 3, 2, 23, 0), False, id="17:00_local_end_is_outside"),
        pytest.param(utc(2026, 3, 2, 23, 30), False, id="17:30_local_after_hours"),
        pytest.param(utc(2026, 3, 3, 15, 0), False, id="tuesday_has_no_hours"),
    ],
)
def test_weekly_hours_are_read_in_the_agents_own_time_zone(now, available):
    result = resolve(now=now)
    assert result.is_available is available
    assert CHICAGO in result.reason


def test_same_utc_moment_differs_by_agent_time_zone():
    # 14:30 UTC Monday is 08:30 in Chicago and 09:30 in New York.
    now = utc(2026, 3, 2, 14, 30)
    assert resolve(now=now, tz=CHICAGO).is_available is False
    assert resolve(now=now, tz=NEW_YORK).is_available is True


def test_missing_time_zone_falls_back_to_eastern_time():
    assert resolve(now=utc(2026, 3, 2, 14, 30), tz="").is_available is True


def test_red_switch_is_never_available_even_inside_hours():
    result = resolve(now=utc(2026, 3, 2, 16, 0), switch="off")
    assert result.is_available is False
    assert "switched off" in result.reason
    assert result.changes_at is None


def test_green_switch_is_available_outside_hours_and_needs_no_recheck():
    result = resolve(now=utc(2026, 3, 3, 3, 0), switch="on")
    assert result.is_available is True
    assert "switched on" in result.reason
    assert result.changes_at is None


def test_no_weekly_hours_means_never_available_on_schedule():
    result = resolve(now=utc(2026, 3, 2, 16, 0), hours=[])
    assert result.is_available is False
    assert result.changes_at is None


def test_next_change_is_the_end_of_the_current_window():
    assert resolve(now=utc(2026, 3, 2, 16, 0)).changes_at == utc(2026, 3, 2, 23, 0)


def test_next_change_after_hours_is_next_weeks_start():
    # Monday 17:30 Chicago: the next window opens a week later.
    assert resolve(now=utc(2026, 3, 2, 23, 30)).changes_at == utc(2026, 3, 9, 14, 0)


def test_window_ending_at_midnight_runs_to_the_end_of_the_day():
    evening = [HoursWindow(MONDAY, time(20), time(0))]
    local = ZoneInfo(CHICAGO)
    before_midnight = datetime(2026, 3, 2, 23, 59, tzinfo=local)
    midnight = datetime(2026, 3, 3, 0, 0, tzinfo=local)
    assert resolve(now=before_midnight, hours=evening).is_available is True
    assert resolve(now=before_midnight, hours=evening).changes_at == midnight
    assert resolve(now=midnight, hours=evening).is_available is False


def test_monday_hours_start_an_hour_earlier_in_utc_after_the_spring_dst_change():
    # New York moves from UTC-5 to UTC-4 on Sunday 8 March 2026.
    assert resolve(now=utc(2026, 3, 2, 13, 30), tz=NEW_YORK).is_available is False
    assert resolve(now=utc(2026, 3, 9, 13, 30), tz=NEW_YORK).is_available is True
    assert resolve(now=utc(2026, 3, 9, 21, 30), tz=NEW_YORK).is_available is False


def test_next_change_across_the_spring_dst_weekend_is_in_daylight_time():
    friday_evening = utc(2026, 3, 6, 23, 0)  # 18:00 EST
    assert resolve(now=friday_evening, tz=NEW_YORK).changes_at == utc(2026, 3, 9, 13, 0)


def test_next_change_across_the_autumn_dst_weekend_is_in_standard_time():
    # New York returns to UTC-5 on Sunday 1 November 2026.
    friday_evening = utc(2026, 10, 30, 22, 0)  # 18:00 EDT
    assert resolve(now=friday_evening, tz=NEW_YORK).changes_at == utc(2026, 11, 2, 14, 0)


def test_window_spanning_the_spring_gap_lasts_two_real_hours():
    sunday = [HoursWindow(6, time(1), time(4))]  # 01:00 EST to 04:00 EDT on 8 March 2026
    assert resolve(now=utc(2026, 3, 8, 5, 59), tz=NEW_YORK, hours=sunday).is_available is False
    inside = resolve(now=utc(2026, 3, 8, 6, 0), tz=NEW_YORK, hours=sunday)
    assert inside.is_available is True
    assert inside.changes_at == utc(2026, 3, 8, 8, 0)


VACATION = AbsenceWindow(utc(2026, 3, 2, 6, 0), utc(2026, 3, 7, 6, 0))


@pytest.mark.parametrize("switch", ["on", "schedule"])
def test_extended_absence_overrides_green_switch_and_hours(switch):
    result = resolve(now=utc(2026, 3, 2, 16, 0), switch=switch, absences=[VACATION])
    assert result.is_available is False
    assert "extended absence" in result.reason
    assert VACATION.ends_at.isoformat() in result.reason


def test_green_switch_during_absence_changes_when_the_absence_ends():
    result = resolve(now=utc(2026, 3, 2, 16, 0), switch="on", absences=[VACATION])
    assert result.changes_at == VACATION.ends_at


def test_absence_end_is_exclusive():
    result = resolve(now=VACATION.ends_at, switch="on", absences=[VACATION])
    assert result.is_available is True


def test_future_absence_is_the_next_change_when_it_comes_first():
    starts_soon = AbsenceWindow(utc(2026, 3, 2, 17, 0), utc(2026, 3, 4, 6, 0))
    result = resolve(now=utc(2026, 3, 2, 16, 0), absences=[starts_soon])
    assert result.is_available is True
    assert result.changes_at == starts_soon.starts_at  # before the 23:00 end of hours
    on = resolve(now=utc(2026, 3, 2, 16, 0), switch="on", absences=[starts_soon])
    assert on.is_available is True and on.changes_at == starts_soon.starts_at


def test_past_absence_changes_nothing():
    past = AbsenceWindow(utc(2026, 2, 1), utc(2026, 2, 8))
    result = resolve(now=utc(2026, 3, 2, 16, 0), absences=[past])
    assert result.is_available is True
    assert result.changes_at == utc(2026, 3, 2, 23, 0)


# Through the service, which turns absence days into instants in the agent's time zone.


@pytest.fixture
def chicago_agent(plan_year):  # type: ignore[no-untyped-def]
    from agentmatch.testing import make_agent

    return make_agent(zip_code="53703", licensed=["WI"], switch="schedule")


@pytest.mark.django_db
def test_a_night_shift_is_two_ranges_either_side_of_midnight(chicago_agent):
    local = ZoneInfo(CHICAGO)
    friday_night = datetime(2026, 3, 6, 23, 0, tzinfo=local)
    with transaction.atomic():
        set_availability(
            agent=chicago_agent,
            weekly_hours=[(4, time(22), time(0)), (5, time(0), time(6))],
            now=friday_night,
        )

    def available(at: datetime) -> bool:
        return availability_of(agent=chicago_agent, now=at).is_available

    assert available(friday_night) is True
    assert available(datetime(2026, 3, 7, 2, 0, tzinfo=local)) is True  # Saturday 02:00
    assert available(datetime(2026, 3, 7, 6, 0, tzinfo=local)) is False
    assert available(datetime(2026, 3, 6, 21, 59, tzinfo=local)) is False
    assert available(datetime(2026, 3, 8, 2, 0, tzinfo=local)) is False  # Sunday 02:00


@pytest.mark.django_db
def test_an_overnight_range_is_refused_on_every_door(chicago_agent):
    with pytest.raises(ScheduleError) as caught, transaction.atomic():
        set_availability(
            agent=chicago_agent, weekly_hours=[(4, time(22), time(6))], now=utc(2026, 3, 6, 12)
        )
    assert (caught.value.field, caught.value.code) == ("end", "end_not_after_start")
    assert not chicago_agent.weekly_hours.exists()


@pytest.mark.django_db
def test_absence_days_are_whole_days_in_the_agents_time_zone(chicago_agent):
    from datetime import date

    local = ZoneInfo(CHICAGO)
    now = datetime(2026, 3, 1, 12, 0, tzinfo=local)
    with transaction.atomic():
        set_availability(
            agent=chicago_agent,
            switch="on",
            absences=[(date(2026, 3, 2), date(2026, 3, 3), "Spring break")],
            now=now,
        )

    def available(at: datetime) -> bool:
        return availability_of(agent=chicago_agent, now=at).is_available

    assert available(datetime(2026, 3, 1, 23, 59, tzinfo=local)) is True
    assert available(datetime(2026, 3, 2, 0, 0, tzinfo=local)) is False
    assert available(datetime(2026, 3, 3, 23, 59, tzinfo=local)) is False
    assert available(datetime(2026, 3, 4, 0, 0, tzinfo=local)) is True
    chicago_agent.refresh_from_db()
    assert chicago_agent.is_available is True
    assert chicago_agent.availability_changes_at == datetime(2026, 3, 2, 0, 0, tzinfo=local)


@pytest.mark.django_db
def test_hours_that_start_and_end_together_are_refused(chicago_agent):
    with pytest.raises(ScheduleError, match="after the start"), transaction.atomic():
        set_availability(
            agent=chicago_agent,
            weekly_hours=[(0, time(9), time(9))],
            now=utc(2026, 3, 2, 12, 0),
        )
