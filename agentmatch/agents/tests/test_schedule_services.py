"""Weekly hours and absences as the agent changes them (accounts.agent_actions): checked, stored,
audited, and the routing index (RoutingSlot) kept in step."""

from datetime import UTC, date, datetime, time

import pytest

from agentmatch.accounts import agent_actions as actions
from agentmatch.agents.models import (
    Absence,
    AgentChange,
    AvailabilitySwitch,
    Channel,
    WeeklyHours,
)
from agentmatch.agents.schedule import AbsenceError, ScheduleError, check_weekly_hours
from agentmatch.agents.services import availability_of
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 10:00 in Chicago (16:00 UTC).
MONDAY_10AM_CHICAGO = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


@pytest.fixture
def agent(plan_year):  # type: ignore[no-untyped-def]
    return make_agent(
        zip_code="53703",
        licensed=["WI"],
        switch=AvailabilitySwitch.SCHEDULE,
        now=MONDAY_10AM_CHICAGO,
    )


def slots_available(agent) -> set[bool]:  # type: ignore[no-untyped-def]
    return set(RoutingSlot.objects.filter(agent=agent).values_list("is_available", flat=True))


def set_weekly_hours(*, agent, hours, now):  # type: ignore[no-untyped-def]
    flat = [(day, start, end) for day, ranges in hours.items() for start, end in ranges]
    return actions.change_availability(agent=agent, now=now, channel=Channel.WEB, weekly_hours=flat)


def set_switch(*, agent, switch, now):  # type: ignore[no-untyped-def]
    return actions.change_availability(agent=agent, now=now, channel=Channel.WEB, switch=switch)


def add_absence(*, agent, first_day, last_day, note, now):  # type: ignore[no-untyped-def]
    return actions.add_absence(
        agent=agent, now=now, channel=Channel.WEB, first_day=first_day, last_day=last_day, note=note
    )


def delete_absence(*, agent, absence_id, now):  # type: ignore[no-untyped-def]
    return actions.remove_absence(agent=agent, now=now, channel=Channel.WEB, absence_id=absence_id)


def test_ranges_that_end_before_they_start_or_overlap_are_named():
    problems = check_weekly_hours(
        [
            (0, time(9), time(12)),
            (0, time(11), time(14)),
            (0, time(15), time(15)),
            (1, time(8), time(18)),
            (1, time(9), time(10)),
            (1, time(11), time(12)),
            (2, time(22), time(0)),  # until midnight is fine
        ]
    )
    found = {(p.weekday, p.index, p.field, p.code) for p in problems}
    assert found == {
        (0, 1, "start", "overlap"),
        (0, 2, "end", "end_not_after_start"),
        (1, 4, "start", "overlap"),
        (1, 5, "start", "overlap"),
    }


def test_a_day_holds_at_most_eight_ranges():
    hours = [(0, time(h), time(h, 30)) for h in range(9)]
    [problem] = check_weekly_hours(hours)
    assert (problem.index, problem.code) == (8, "too_many_ranges")


def test_each_change_leaves_one_audit_row_naming_the_door(agent):
    set_switch(agent=agent, switch=AvailabilitySwitch.ON, now=MONDAY_10AM_CHICAGO)
    set_weekly_hours(agent=agent, hours={0: [(time(8), time(12))]}, now=MONDAY_10AM_CHICAGO)
    rows = list(AgentChange.objects.filter(agent=agent).values_list("kind", "channel", "detail"))
    assert rows == [("switch", "web", "on"), ("weekly_hours", "web", "1 ranges on 1 days")]


def test_weekly_hours_make_the_agent_available_and_update_the_routing_index(agent):
    assert slots_available(agent) == {False}
    result = set_weekly_hours(
        agent=agent,
        hours={0: [(time(13), time(17)), (time(8), time(12))], 4: [(time(9), time(0))]},
        now=MONDAY_10AM_CHICAGO,
    )
    assert result.is_available is True
    assert slots_available(agent) == {True}
    stored = list(WeeklyHours.objects.filter(agent=agent).values_list("weekday", "starts_at"))
    assert stored == [(0, time(8)), (0, time(13)), (4, time(9))]


def test_bad_weekly_hours_change_nothing(agent):
    set_weekly_hours(agent=agent, hours={0: [(time(8), time(12))]}, now=MONDAY_10AM_CHICAGO)
    with pytest.raises(ScheduleError) as caught:
        set_weekly_hours(
            agent=agent,
            hours={0: [(time(8), time(12)), (time(10), time(11))]},
            now=MONDAY_10AM_CHICAGO,
        )
    assert caught.value.problems[0].index == 1
    assert WeeklyHours.objects.filter(agent=agent).count() == 1


def test_an_absence_today_makes_the_agent_unavailable_until_it_is_deleted(agent):
    set_switch(agent=agent, switch=AvailabilitySwitch.ON, now=MONDAY_10AM_CHICAGO)
    assert slots_available(agent) == {True}
    absence = add_absence(
        agent=agent,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 6),
        note="vacation",
        now=MONDAY_10AM_CHICAGO,
    )
    assert slots_available(agent) == {False}
    # Whole days in the agent's own time zone: midnight to midnight in Chicago.
    assert absence.starts_at == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert absence.ends_at == datetime(2026, 3, 7, 6, 0, tzinfo=UTC)
    assert "absence" in availability_of(agent=agent, now=MONDAY_10AM_CHICAGO).reason
    assert delete_absence(agent=agent, absence_id=absence.pk, now=MONDAY_10AM_CHICAGO) is True
    assert slots_available(agent) == {True}
    assert delete_absence(agent=agent, absence_id=absence.pk, now=MONDAY_10AM_CHICAGO) is False


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (date(2026, 3, 1), date(2026, 3, 3), "first_day"),  # starts yesterday
        (date(2026, 3, 5), date(2026, 3, 4), "last_day"),
    ],
    ids=["in-the-past", "ends-before-it-starts"],
)
def test_bad_absences_are_refused_with_the_field(agent, first, last, field):
    with pytest.raises(AbsenceError) as caught:
        add_absence(agent=agent, first_day=first, last_day=last, note="", now=MONDAY_10AM_CHICAGO)
    assert caught.value.field == field
    assert not Absence.objects.filter(agent=agent).exists()


def test_overlapping_absences_are_refused(agent):
    add_absence(
        agent=agent,
        first_day=date(2026, 3, 10),
        last_day=date(2026, 3, 12),
        note="",
        now=MONDAY_10AM_CHICAGO,
    )
    with pytest.raises(AbsenceError):
        add_absence(
            agent=agent,
            first_day=date(2026, 3, 12),
            last_day=date(2026, 3, 14),
            note="",
            now=MONDAY_10AM_CHICAGO,
        )
    # The day after is fine.
    add_absence(
        agent=agent,
        first_day=date(2026, 3, 13),
        last_day=date(2026, 3, 14),
        note="",
        now=MONDAY_10AM_CHICAGO,
    )


def test_one_agents_absence_cannot_be_deleted_by_another(agent, plan_year):
    other = make_agent(zip_code="53703", licensed=["WI"], now=MONDAY_10AM_CHICAGO)
    absence = add_absence(
        agent=agent,
        first_day=date(2026, 3, 10),
        last_day=date(2026, 3, 12),
        note="",
        now=MONDAY_10AM_CHICAGO,
    )
    assert delete_absence(agent=other, absence_id=absence.pk, now=MONDAY_10AM_CHICAGO) is False
    assert Absence.objects.filter(pk=absence.pk).exists()
