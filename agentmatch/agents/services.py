"""State changes to agents' own settings: availability, languages, state preferences.

Functions take keyword-only arguments and an explicit `now`; they never commit on their
own, so the caller's `transaction.atomic()` decides what happens together.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from agentmatch.agents.availability import (
    AbsenceWindow,
    Availability,
    HoursWindow,
    resolve_availability,
)
from agentmatch.agents.models import (
    Absence,
    Agent,
    AgentLanguage,
    AvailabilitySwitch,
    StateDeselection,
    WeeklyHours,
)
from agentmatch.agents.schedule import (
    AbsenceError,
    ScheduleError,
    check_absence,
    check_weekly_hours,
)
from agentmatch.eligibility.routing_table import rebuild_slots, set_slot_availability


def availability_of(*, agent: Agent, now: datetime) -> Availability:
    return resolve_availability(
        switch=agent.availability_switch,
        time_zone=agent.time_zone,
        hours=[
            HoursWindow(h.weekday, h.starts_at, h.ends_at)
            for h in WeeklyHours.objects.filter(agent=agent)
        ],
        absences=[
            AbsenceWindow(a.starts_at, a.ends_at)
            for a in Absence.objects.filter(agent=agent, ends_at__gt=now)
        ],
        now=now,
    )


def refresh_availability(*, agent: Agent, now: datetime) -> Availability:
    """Stores the availability resolved at `now` and when to look again."""
    result = availability_of(agent=agent, now=now)
    Agent.objects.filter(pk=agent.pk).update(
        is_available=result.is_available,
        availability_checked_at=now,
        availability_changes_at=result.changes_at,
    )
    set_slot_availability(agent_id=agent.pk, is_available=result.is_available)
    agent.is_available = result.is_available
    agent.availability_checked_at = now
    agent.availability_changes_at = result.changes_at
    return result


def set_availability(
    *,
    agent: Agent,
    now: datetime,
    switch: str | None = None,
    weekly_hours: Iterable[tuple[int, time, time]] | None = None,
    absences: Iterable[tuple[date, date, str]] | None = None,
) -> Availability:
    """Updates whichever of switch, weekly hours and absences are given.

    Weekly hours are (weekday, start, end) in the agent's time zone; an end of 00:00 means
    midnight, and a window that ends before it starts runs past midnight into the next day.
    Absences are (first day, last day, note), whole days in the agent's time zone.
    """
    if switch is not None:
        if switch not in AvailabilitySwitch.values:
            raise ValueError(f"switch must be one of {', '.join(AvailabilitySwitch.values)}")
        Agent.objects.filter(pk=agent.pk).update(availability_switch=switch)
        agent.availability_switch = switch
    if weekly_hours is not None:
        rows = []
        for weekday, start, end in weekly_hours:
            if not 0 <= weekday <= 6:
                raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
            if start == end:
                raise ValueError(f"hours on day {weekday} start and end at the same time")
            if end != time(0) and end < start:
                # Overnight: split at midnight so every window lies within one day.
                rows.append(
                    WeeklyHours(agent=agent, weekday=weekday, starts_at=start, ends_at=time(0))
                )
                rows.append(
                    WeeklyHours(
                        agent=agent, weekday=(weekday + 1) % 7, starts_at=time(0), ends_at=end
                    )
                )
            else:
                rows.append(WeeklyHours(agent=agent, weekday=weekday, starts_at=start, ends_at=end))
        WeeklyHours.objects.filter(agent=agent).delete()
        WeeklyHours.objects.bulk_create(rows)
    if absences is not None:
        tz = ZoneInfo(agent.time_zone or "America/New_York")
        rows_a = []
        for first_day, last_day, note in absences:
            if last_day < first_day:
                raise ValueError(f"absence ends ({last_day}) before it starts ({first_day})")
            rows_a.append(
                Absence(
                    agent=agent,
                    starts_at=datetime.combine(first_day, time(0), tzinfo=tz),
                    ends_at=datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz),
                    note=note[:200],
                )
            )
        Absence.objects.filter(agent=agent).delete()
        Absence.objects.bulk_create(rows_a)
    return refresh_availability(agent=agent, now=now)


def set_languages(*, agent: Agent, languages: Iterable[str]) -> None:
    codes = sorted(set(languages))
    if not codes:
        raise ValueError("an agent must speak at least one language")
    AgentLanguage.objects.filter(agent=agent).exclude(language__in=codes).delete()
    AgentLanguage.objects.bulk_create(
        [AgentLanguage(agent=agent, language=c) for c in codes], ignore_conflicts=True
    )
    rebuild_slots(agent_ids=[agent.pk])


def set_deselected_states(*, agent: Agent, states: Iterable[str]) -> None:
    wanted = set(states)
    StateDeselection.objects.filter(agent=agent).exclude(state__in=wanted).delete()
    StateDeselection.objects.bulk_create(
        [StateDeselection(agent=agent, state=s) for s in sorted(wanted)], ignore_conflicts=True
    )


# --- The availability page: one change at a time, each keeping the routing index in step ---


def set_switch(*, agent: Agent, switch: str, now: datetime) -> Availability:
    """The green/red override (or back to weekly hours); returns the new availability."""
    return set_availability(agent=agent, switch=switch, now=now)


def set_weekly_hours(
    *, agent: Agent, hours: Mapping[int, Sequence[tuple[time, time]]], now: datetime
) -> Availability:
    """Replaces the week's operating hours: {weekday: [(start, end), ...]} in the agent's
    time zone, every range within its day (an end of 00:00 is midnight).

    Raises ScheduleError listing each bad range; nothing changes then.
    """
    if problems := check_weekly_hours(hours):
        raise ScheduleError(problems)
    rows = [
        WeeklyHours(agent=agent, weekday=weekday, starts_at=start, ends_at=end)
        for weekday, ranges in sorted(hours.items())
        for start, end in sorted(ranges)
    ]
    WeeklyHours.objects.filter(agent=agent).delete()
    WeeklyHours.objects.bulk_create(rows)
    return refresh_availability(agent=agent, now=now)


def agent_zone(agent: Agent) -> ZoneInfo:
    return ZoneInfo(agent.time_zone or "America/New_York")


def add_absence(
    *, agent: Agent, first_day: date, last_day: date, note: str, now: datetime
) -> Absence:
    """An extended absence of whole days in the agent's time zone, from today on.

    Raises AbsenceError naming the field for a day in the past, a last day before the
    first, or days already covered by another absence.
    """
    tz = agent_zone(agent)
    check_absence(first_day=first_day, last_day=last_day, today=now.astimezone(tz).date())
    starts_at = datetime.combine(first_day, time(0), tzinfo=tz)
    ends_at = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)
    if Absence.objects.filter(agent=agent, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise AbsenceError("first_day", _("These days overlap an absence you already added."))
    absence = Absence.objects.create(
        agent=agent, starts_at=starts_at, ends_at=ends_at, note=note.strip()[:200]
    )
    refresh_availability(agent=agent, now=now)
    return absence


def delete_absence(*, agent: Agent, absence_id: int, now: datetime) -> bool:
    """Removes one of the agent's own absences; False if there was no such absence."""
    deleted, _rows = Absence.objects.filter(agent=agent, pk=absence_id).delete()
    if deleted:
        refresh_availability(agent=agent, now=now)
    return deleted > 0
