"""The rules for weekly operating hours and extended absences: one validator per input.

Pure functions shared by the availability page and the API: they name each problem with
a stable code, a message for people and the field, so a page can put the message next to
the input and the API can answer `weekly_hours.2.end` with the same words.

Ranges lie within one day: the end must be after the start, and an end of 00:00 means
midnight at the end of the day. A night shift is two ranges either side of midnight
(Friday 22:00-00:00 and Saturday 00:00-06:00); there is no overnight range, on any door.
Times are wall-clock times in the agent's own time zone, so a time with a UTC offset is
refused rather than guessed at. Absences are whole days from today to two years ahead.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import pairwise

from django.utils.translation import gettext as _

from agentmatch.agents.errors import SettingError

MIDNIGHT = time(0)
MAX_RANGES_PER_DAY = 8
# Far enough for any planned leave; near enough that every date maps to a real instant.
MAX_DAYS_AHEAD = 730
NOTE_MAX_LENGTH = 200

# (weekday, start, end): 0 = Monday; an end of 00:00 is midnight at the end of the day.
HoursRange = tuple[int, time, time]


@dataclass(frozen=True)
class Problem:
    weekday: int
    index: int  # position of the range in the list checked, as the agent typed it
    field: str  # "weekday", "start" or "end"
    message: str
    code: str = "invalid"


class ScheduleError(SettingError):
    """Every problem of a week's hours; field, code and index are the first problem's."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(first.field, first.message, code=first.code, index=first.index)
        self.problems = list(problems)


class AbsenceError(SettingError):
    pass


def _minutes(value: time, *, is_end: bool) -> int:
    if is_end and value == MIDNIGHT:
        return 24 * 60
    return value.hour * 60 + value.minute


def _range_problem(index: int, weekday: int, start: time, end: time) -> Problem | None:
    if not 0 <= weekday <= 6:
        return Problem(
            weekday, index, "weekday", _("Choose a day from Monday to Sunday."), "bad_weekday"
        )
    for field, value in (("start", start), ("end", end)):
        if value.tzinfo is not None:
            message = _("Enter the time without a UTC offset: hours are in your own time zone.")
            return Problem(weekday, index, field, message, "time_has_offset")
    if _minutes(end, is_end=True) <= _minutes(start, is_end=False):
        message = _("The end time must be after the start time.")
        return Problem(weekday, index, "end", message, "end_not_after_start")
    return None


def check_weekly_hours(hours: Sequence[HoursRange]) -> list[Problem]:
    """Every problem in the week: a bad day, a time with an offset, an end not after its
    start, too many ranges on a day, ranges of a day overlapping."""
    problems: list[Problem] = []
    by_day: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for index, (weekday, start, end) in enumerate(hours):
        if problem := _range_problem(index, weekday, start, end):
            problems.append(problem)
            continue
        if len(by_day[weekday]) == MAX_RANGES_PER_DAY:
            message = _("A day can have at most 8 time ranges.")
            problems.append(Problem(weekday, index, "start", message, "too_many_ranges"))
            continue
        by_day[weekday].append((_minutes(start, is_end=False), _minutes(end, is_end=True), index))
    for weekday, ranges in sorted(by_day.items()):
        reach = -1  # the latest end among the ranges starting earlier
        for begins, ends, index in sorted(ranges):
            if begins < reach:
                message = _("This range overlaps another range on the same day.")
                problems.append(Problem(weekday, index, "start", message, "overlap"))
            reach = max(reach, ends)
    return sorted(problems, key=lambda p: p.index)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def check_absence_note(note: str) -> None:
    if has_control_characters(note):
        raise AbsenceError(
            "note", _("The note cannot contain control characters."), code="control_characters"
        )
    if len(note.strip()) > NOTE_MAX_LENGTH:
        raise AbsenceError("note", _("Keep the note to 200 characters."), code="too_long")


def check_absence(*, first_day: date, last_day: date, note: str = "", today: date) -> None:
    """Raises AbsenceError naming the field unless the absence can be added."""
    check_absence_note(note)
    horizon = today + timedelta(days=MAX_DAYS_AHEAD)
    too_far = _("Choose a day within two years from today.")
    if first_day < today:
        raise AbsenceError(
            "first_day",
            _("The first day cannot be in the past. Choose today or a later day."),
            code="in_the_past",
        )
    if first_day > horizon:
        raise AbsenceError("first_day", too_far, code="too_far_ahead")
    if last_day < first_day:
        raise AbsenceError(
            "last_day",
            _("The last day must be on or after the first day."),
            code="ends_before_it_starts",
        )
    if last_day > horizon:
        raise AbsenceError("last_day", too_far, code="too_far_ahead")


def overlap_error(index: int | None = None) -> AbsenceError:
    return AbsenceError(
        "first_day",
        _("These days overlap an absence you already added."),
        code="overlap",
        index=index,
    )


def check_absences_apart(days: Sequence[tuple[date, date]]) -> None:
    """Raises AbsenceError at the later of two absences sharing a day."""
    order = sorted(range(len(days)), key=lambda i: days[i])
    for earlier, later in pairwise(order):
        if days[later][0] <= days[earlier][1]:
            raise overlap_error(later)
