"""Checking weekly operating hours and extended absences as an agent types them.

Pure functions: they name each problem with the day, the range and the field, so a page
can put the message next to the input and a service can refuse the whole change.
Ranges lie within one day; an end of 00:00 means midnight at the end of the day.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time

from django.utils.translation import gettext as _

MIDNIGHT = time(0)


@dataclass(frozen=True)
class Problem:
    weekday: int
    index: int  # position of the range in that day's list, as the agent typed it
    field: str  # "start" or "end"
    message: str


class ScheduleError(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = list(problems)


class AbsenceError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def _minutes(value: time, *, is_end: bool) -> int:
    if is_end and value == MIDNIGHT:
        return 24 * 60
    return value.hour * 60 + value.minute


def check_weekly_hours(hours: Mapping[int, Sequence[tuple[time, time]]]) -> list[Problem]:
    """Every problem in the week: an end not after its start, ranges of a day overlapping."""
    problems: list[Problem] = []
    for weekday, ranges in sorted(hours.items()):
        if not 0 <= weekday <= 6:
            problems.append(Problem(weekday, 0, "start", _("Choose a day from Monday to Sunday.")))
            continue
        good: list[tuple[int, int, int]] = []
        for index, (start, end) in enumerate(ranges):
            begins, ends = _minutes(start, is_end=False), _minutes(end, is_end=True)
            if ends <= begins:
                problems.append(
                    Problem(weekday, index, "end", _("The end time must be after the start time."))
                )
            else:
                good.append((begins, ends, index))
        good.sort()
        reach = -1  # the latest end among the ranges starting earlier
        for begins, ends, index in good:
            if begins < reach:
                problems.append(
                    Problem(
                        weekday,
                        index,
                        "start",
                        _("This range overlaps another range on the same day."),
                    )
                )
            reach = max(reach, ends)
    return problems


def check_absence(*, first_day: date, last_day: date, today: date) -> None:
    """Raises AbsenceError naming the field unless the absence can be added."""
    if first_day < today:
        raise AbsenceError(
            "first_day", _("The first day cannot be in the past. Choose today or a later day.")
        )
    if last_day < first_day:
        raise AbsenceError("last_day", _("The last day must be on or after the first day."))
