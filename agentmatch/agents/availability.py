"""When is an agent available? Switch, weekly hours in their own time zone, absences.

Pure functions of the agent's settings and `now`, so the same rules answer routing,
the worker's re-checks and support's "why not" questions.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agentmatch.agents.models import AvailabilitySwitch, zone_named


@dataclass(frozen=True)
class HoursWindow:
    weekday: int  # 0 = Monday
    starts_at: time
    ends_at: time  # time(0) means midnight at the end of the day


@dataclass(frozen=True)
class AbsenceWindow:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Availability:
    is_available: bool
    reason: str
    # The next moment the answer may change by itself (hours boundary, absence edge).
    changes_at: datetime | None


def _window_bounds(day: datetime, window: HoursWindow, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day.date(), window.starts_at, tzinfo=tz)
    end_day = day.date() + timedelta(days=1) if window.ends_at == time(0) else day.date()
    end = datetime.combine(end_day, window.ends_at, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _hours_edges(
    windows: Iterable[HoursWindow], tz: ZoneInfo, now: datetime
) -> tuple[bool, list[datetime]]:
    """Whether `now` is inside a window, and window edges in the next 8 days."""
    local_now = now.astimezone(tz)
    inside = False
    edges: list[datetime] = []
    for offset in range(-1, 8):
        day = local_now + timedelta(days=offset)
        for window in windows:
            if window.weekday != day.weekday():
                continue
            start, end = _window_bounds(day, window, tz)
            if start <= now < end:
                inside = True
            edges.extend(edge for edge in (start, end) if edge > now)
    return inside, edges


def resolve_availability(
    *,
    switch: str,
    time_zone: str,
    hours: Iterable[HoursWindow],
    absences: Iterable[AbsenceWindow],
    now: datetime,
) -> Availability:
    absences = list(absences)
    absence_edges = [e for a in absences for e in (a.starts_at, a.ends_at) if e > now]
    current_absence = next((a for a in absences if a.starts_at <= now < a.ends_at), None)

    if switch == AvailabilitySwitch.OFF:
        return Availability(False, "switched off (red)", None)

    if switch == AvailabilitySwitch.ON:
        next_change = min(absence_edges, default=None)
        if current_absence is not None:
            until = current_absence.ends_at.isoformat()
            return Availability(False, f"on extended absence until {until}", next_change)
        return Availability(True, "switched on (green)", next_change)

    tz = zone_named(time_zone)
    inside, hour_edges = _hours_edges(list(hours), tz, now)
    next_change = min(absence_edges + hour_edges, default=None)
    if current_absence is not None:
        until = current_absence.ends_at.isoformat()
        return Availability(False, f"on extended absence until {until}", next_change)
    if inside:
        return Availability(True, f"inside weekly hours ({tz.key})", next_change)
    return Availability(False, f"outside weekly hours ({tz.key})", next_change)
