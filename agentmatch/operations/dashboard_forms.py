"""The dashboard's period: today, the last 7 days, the plan year, or from/to dates.

Dates are days in the operator's time zone; a period runs from the first day's midnight
to the midnight after the last day (or now, for today). A bad choice or date is a form
error with a clear message, never a 500.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agentmatch.operations.dashboard import Period
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year

TODAY, WEEK, PLAN_YEAR, CUSTOM = "today", "7d", "year", "custom"
# A longer custom period would still be answered, but draws thousands of bars; the plan
# year (open enrollment to December, about 14 months) is the longest anyone needs.
MAX_DAYS = 430
EARLIEST = date(2020, 1, 1)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            (TODAY, _("Today")),
            (WEEK, _("Last 7 days")),
            (PLAN_YEAR, _("Plan year")),
            (CUSTOM, _("From and to dates")),
        ],
        error_messages={
            "invalid_choice": _("Choose today, the last 7 days, the plan year or dates.")
        },
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        error_messages={"invalid": _("Enter the first day as a date, like 2026-11-01.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        error_messages={"invalid": _("Enter the last day as a date, like 2026-11-30.")},
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today
        self.plan_year = 0

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("period") == PLAN_YEAR:
            try:
                self.plan_year = current_plan_year().year
            except NoCurrentPlanYear:
                self.add_error("period", _("No plan year is current: choose dates instead."))
        if data.get("period") != CUSTOM or self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        if start is None:
            self.add_error("start", _("Enter the first day of the period."))
        if end is None:
            self.add_error("end", _("Enter the last day of the period."))
        if not isinstance(start, date) or not isinstance(end, date):
            return data
        if start < EARLIEST:
            self.add_error("start", _("The first day cannot be before 2020."))
        elif end < start:
            self.add_error("end", _("The last day cannot be before the first day."))
        elif end > self.today:
            self.add_error("end", _("The last day cannot be after today."))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error(
                "end", _("A period can be at most %(days)d days long.") % {"days": MAX_DAYS}
            )
        return data

    def to_period(self) -> Period:
        """The period asked for (call after is_valid()): whole days, up to tonight."""
        choice = self.cleaned_data["period"]
        tonight = _midnight(self.today + timedelta(days=1))
        if choice == TODAY:
            return Period(start=_midnight(self.today), end=tonight)
        if choice == WEEK:
            return Period(start=_midnight(self.today - timedelta(days=6)), end=tonight)
        if choice == PLAN_YEAR:
            # Open enrollment for a plan year starts on November 1st of the year before.
            start = _midnight(date(self.plan_year - 1, 11, 1))
            end = min(tonight, _midnight(date(self.plan_year + 1, 1, 1)))
            return Period(start=start, end=max(end, start), plan_year=self.plan_year)
        return Period(
            start=_midnight(self.cleaned_data["start"]),
            end=_midnight(self.cleaned_data["end"] + timedelta(days=1)),
        )


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
