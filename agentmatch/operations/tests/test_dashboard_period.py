"""The dashboard's period: the choices, custom dates, and bad input answered with a message."""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from agentmatch.operations.dashboard_forms import MAX_DAYS, PeriodForm
from agentmatch.planyears.models import PlanYear

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    # The messages are checked in English, whatever page an earlier test asked for.
    with translation.override("en"):
        yield


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period(**data: str):  # type: ignore[no-untyped-def]
    form = PeriodForm(data, today=TODAY)
    assert form.is_valid(), form.errors
    return form.to_period()


def errors(**data: str) -> dict[str, list[str]]:
    form = PeriodForm(data, today=TODAY)
    assert not form.is_valid()
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def test_today_is_the_whole_day_by_the_hour(plan_year) -> None:
    today = period(period="today")
    assert (today.start, today.end) == (midnight(TODAY), midnight(TODAY + timedelta(days=1)))
    assert today.bucket == "hour" and today.plan_year is None


def test_seven_days_end_tonight_and_go_by_the_day(plan_year) -> None:
    week = period(period="7d")
    assert week.start == midnight(date(2026, 11, 25))
    assert week.end == midnight(date(2026, 12, 2))
    assert week.bucket == "day"


def test_the_plan_year_starts_with_open_enrollment_and_goes_by_the_week(plan_year) -> None:
    year = period(period="year")
    assert year.plan_year == 2026
    assert year.start == midnight(date(2025, 11, 1))
    assert year.end == midnight(date(2026, 12, 2))  # tonight: the year is not over
    assert year.bucket == "week"


def test_custom_dates_include_both_days(plan_year) -> None:
    custom = period(period="custom", start="2026-11-02", end="2026-11-03")
    assert (custom.start, custom.end) == (midnight(date(2026, 11, 2)), midnight(date(2026, 11, 4)))


def test_bad_input_gets_a_clear_message(plan_year) -> None:
    assert "period" in errors(period="fortnight")
    assert errors(period="custom") == {
        "start": ["Enter the first day of the period."],
        "end": ["Enter the last day of the period."],
    }
    assert errors(period="custom", start="yesterday", end="2026-11-03")["start"] == [
        "Enter the first day as a date, like 2026-11-01."
    ]
    assert errors(period="custom", start="2026-11-05", end="2026-11-03")["end"] == [
        "The last day cannot be before the first day."
    ]
    assert errors(period="custom", start="2026-11-05", end="2026-12-25")["end"] == [
        "The last day cannot be after today."
    ]
    assert errors(period="custom", start="2019-12-31", end="2020-01-03")["start"] == [
        "The first day cannot be before 2020."
    ]
    assert errors(period="custom", start="2024-01-01", end="2026-11-03")["end"] == [
        f"A period can be at most {MAX_DAYS} days long."
    ]
    assert errors(period="custom", start="2026-11-05\x00", end="2026-11-06")["start"]


def test_the_plan_year_without_a_current_one_says_so(db) -> None:
    PlanYear.objects.update(is_current=False)
    assert errors(period="year") == {"period": ["No plan year is current: choose dates instead."]}


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-13-45", "end": "x"},
        {"period": ["today", "7d"], "start": "9" * 300},
        {"period": "custom", "start": "2026-11-05", "end": "2026-11-01"},
    ],
)
def test_the_page_answers_bad_input_with_400_and_the_form(operator_client, query) -> None:
    response = operator_client.get("/ops/dashboard/", query)
    assert response.status_code == 400
    assert 'id="period-problems"' in response.content.decode()


def test_a_nul_character_is_refused_before_it_reaches_the_database(operator_client) -> None:
    assert operator_client.get("/ops/dashboard/", {"period": "\x00"}).status_code == 400


def test_the_page_defaults_to_the_last_seven_days(operator_client) -> None:
    response = operator_client.get("/ops/dashboard/")
    assert response.status_code == 200
    assert b"Requests per day" in response.content


def test_anonymous_visitors_are_sent_to_the_login_page(plan_year) -> None:
    response = Client().get("/ops/dashboard/?period=today")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/ops/dashboard/")


def test_an_agent_never_sees_the_dashboard(agent_client) -> None:
    response = agent_client.get("/ops/dashboard/")
    assert response.status_code == 403
    assert b"support staff only" in response.content
    assert b"figure-requests" not in response.content
