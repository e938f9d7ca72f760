"""Forms of the availability page: they parse input; the rules live in agents/schedule.py."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from agentmatch.agents.models import AvailabilitySwitch, WeeklyHours
from agentmatch.agents.schedule import (
    NOTE_MAX_LENGTH,
    HoursRange,
    Problem,
    check_weekly_hours,
)

TIME_KEY = re.compile(r"^hours-(?P<day>[0-6])-(?P<index>\d{1,2})-(?P<part>start|end)$")


@dataclass
class RangeRow:
    start: str = ""
    end: str = ""
    start_error: str = ""
    end_error: str = ""


@dataclass
class DayRows:
    weekday: int
    name: str
    ranges: list[RangeRow] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(r.start_error or r.end_error for r in self.ranges)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def week_from_rows(rows: list[WeeklyHours]) -> list[DayRows]:
    days = [DayRows(d, str(WEEKDAYS[d])) for d in range(7)]
    for row in rows:
        days[row.weekday].ranges.append(RangeRow(_hhmm(row.starts_at), _hhmm(row.ends_at)))
    return days


def week_from_post(data: QueryDict) -> list[DayRows]:
    """The ranges as typed, in the order typed; rows with both times empty are dropped."""
    found: dict[tuple[int, int], RangeRow] = {}
    for key in data:
        match = TIME_KEY.match(key)
        if match:
            row = found.setdefault((int(match["day"]), int(match["index"])), RangeRow())
            setattr(row, match["part"], data.get(key, "").strip()[:8])
    days = [DayRows(d, str(WEEKDAYS[d])) for d in range(7)]
    for (day, _index), row in sorted(found.items()):
        if row.start or row.end:
            days[day].ranges.append(row)
    return days


def _parse_time(text: str) -> time | None:
    for fmt in ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p"):
        try:
            return datetime.strptime(text.upper(), fmt).time()
        except ValueError:
            continue
    return None


def clean_week(days: list[DayRows]) -> list[HoursRange] | None:
    """The week's hours, or None after putting a message on each bad field.

    The rules are agents/schedule.py's, the same the API answers with.
    """
    hours: list[HoursRange] = []
    rows: list[RangeRow] = []  # the row each checked range came from
    ok = True
    for day in days:
        for row in day.ranges:
            start, end = _parse_time(row.start), _parse_time(row.end)
            for part, text, value in (("start", row.start, start), ("end", row.end, end)):
                if not text:
                    setattr(row, f"{part}_error", str(_("Enter both a start and an end time.")))
                elif value is None:
                    setattr(row, f"{part}_error", str(_("Enter a time like 09:00 or 5:30 PM.")))
            if start is None or end is None:
                ok = False
                continue
            hours.append((day.weekday, start, end))
            rows.append(row)
    problems: list[Problem] = check_weekly_hours(hours)
    for problem in problems:
        field = "start" if problem.field == "weekday" else problem.field
        if not getattr(rows[problem.index], f"{field}_error"):
            setattr(rows[problem.index], f"{field}_error", str(problem.message))
    if problems or not ok:
        return None
    return hours


class ModeForm(forms.Form):
    switch = forms.ChoiceField(
        label=_("How your availability is decided"),
        choices=[
            (AvailabilitySwitch.SCHEDULE, _("Follow my weekly hours")),
            (AvailabilitySwitch.ON, _("Available now, at any hour (green)")),
            (AvailabilitySwitch.OFF, _("Not available (red)")),
        ],
        widget=forms.RadioSelect,
    )


class AbsenceForm(forms.Form):
    first_day = forms.CharField(label=_("First day away"), help_text=_("mm/dd/yyyy"), max_length=10)
    last_day = forms.CharField(label=_("Last day away"), help_text=_("mm/dd/yyyy"), max_length=10)
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("For your own records, for example: vacation."),
        max_length=NOTE_MAX_LENGTH,
        required=False,
    )

    def _day(self, name: str) -> date | None:
        text = self.cleaned_data.get(name, "").strip()
        for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.add_error(name, _("Enter a date like 07/04/2026."))
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "first_day" in cleaned:
            cleaned["first_date"] = self._day("first_day")
        if "last_day" in cleaned:
            cleaned["last_date"] = self._day("last_day")
        return cleaned
