"""Weekly hours and absences: the web page and the API refuse the same input with the same
code and words, naming the field, and never answer bad input with a 500."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.agents.models import Absence, Agent, AgentChange, WeeklyHours
from agentmatch.agents.services import local_today
from agentmatch.testing import api_token_for, make_agent_user

pytestmark = pytest.mark.django_db

OVERNIGHT = "The end time must be after the start time."
PAST = "The first day cannot be in the past. Choose today or a later day."
OVERLAP = "These days overlap an absence you already added."
TOO_FAR = "Choose a day within two years from today."
CONTROL = "The note cannot contain control characters."


class Doors:
    """One agent, signed in on the web and holding an API token."""

    def __init__(self, client: Client) -> None:
        user = make_agent_user(username="pat.agent", licensed=["WI"], zip_code="53703")
        self.agent: Agent = user.agent
        self.web = client
        self.web.force_login(user)
        self.api_client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_for(self.agent)}"}

    def day(self, offset: int) -> date:
        return local_today(self.agent, timezone.now()) + timedelta(days=offset)

    def api(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.api_client.put(
            "/api/v1/agent/availability", body, content_type="application/json", **self.auth
        )
        assert response.status_code == 422, response.content
        assert response["Content-Type"].startswith("application/json")
        error: dict[str, Any] = response.json()["error"]
        return error

    def web_absence(self, first: str, last: str, note: str = "") -> dict[str, list[str]]:
        """The absence form's errors by field (the page shows each by its input)."""
        response = self.web.post(
            "/availability/absences/", {"first_day": first, "last_day": last, "note": note}
        )
        assert response.status_code == 200
        errors: dict[str, list[str]] = response.context["absence_form"].errors
        for field in errors:
            assert f'id="id_{field}-error"' in response.content.decode()
        return errors


@pytest.fixture
def doors(plan_year, client: Client) -> Doors:  # type: ignore[no-untyped-def]
    return Doors(client)


def absence(first: date | str, last: date | str, note: str = "") -> dict[str, str]:
    return {"first_day": str(first), "last_day": str(last), "note": note}


def test_an_overnight_range_is_refused_by_the_api_as_by_the_page(doors: Doors) -> None:
    error = doors.api({"weekly_hours": [{"weekday": 4, "start": "22:00", "end": "06:00"}]})
    assert error == {
        "field": "weekly_hours.0.end",
        "code": "end_not_after_start",
        "message": OVERNIGHT,
    }
    page = doors.web.post(
        "/availability/hours/", {"hours-4-0-start": "22:00", "hours-4-0-end": "06:00"}
    )
    assert OVERNIGHT in page.content.decode()
    assert not WeeklyHours.objects.exists()


def test_overlapping_ranges_on_a_day_are_named_by_their_position(doors: Doors) -> None:
    error = doors.api(
        {
            "weekly_hours": [
                {"weekday": 0, "start": "09:00", "end": "12:00"},
                {"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 0, "start": "11:00", "end": "13:00"},
            ]
        }
    )
    assert (error["field"], error["code"]) == ("weekly_hours.2.start", "overlap")


def test_hours_with_a_utc_offset_are_refused_naming_the_field(doors: Doors) -> None:
    error = doors.api(
        {"weekly_hours": [{"weekday": 0, "start": "09:00:00+01:00", "end": "17:00:00"}]}
    )
    assert (error["field"], error["code"]) == ("weekly_hours.0.start", "time_has_offset")
    assert not WeeklyHours.objects.exists()


def test_a_past_absence_is_refused_by_the_api_as_by_the_page(doors: Doors) -> None:
    yesterday, later = doors.day(-1), doors.day(2)
    error = doors.api({"absences": [absence(yesterday, later)]})
    assert error == {"field": "absences.0.first_day", "code": "in_the_past", "message": PAST}
    assert doors.web_absence(yesterday.isoformat(), later.isoformat()) == {"first_day": [PAST]}
    assert not Absence.objects.exists()


def test_overlapping_absences_are_refused_by_the_api_as_by_the_page(doors: Doors) -> None:
    error = doors.api(
        {"absences": [absence(doors.day(5), doors.day(9)), absence(doors.day(1), doors.day(5))]}
    )
    assert error == {"field": "absences.0.first_day", "code": "overlap", "message": OVERLAP}
    assert not Absence.objects.exists()
    doors.web.post("/availability/absences/", absence(doors.day(1), doors.day(5)))
    assert doors.web_absence(doors.day(5).isoformat(), doors.day(9).isoformat()) == {
        "first_day": [OVERLAP]
    }
    assert Absence.objects.count() == 1


@pytest.mark.parametrize(
    ("first", "last", "field", "code"),
    [
        ("0001-01-01", "9999-12-31", "first_day", "in_the_past"),
        (None, "9999-12-31", "last_day", "too_far_ahead"),
        (None, None, "last_day", "too_far_ahead"),
    ],
    ids=["year-1-to-9999", "today-to-9999", "today-to-just-past-two-years"],
)
def test_absences_outside_today_to_two_years_are_refused_not_a_500(
    doors: Doors, first: str | None, last: str | None, field: str, code: str
) -> None:
    first = first or doors.day(0).isoformat()
    last = last or doors.day(731).isoformat()
    error = doors.api({"absences": [absence(first, last)]})
    assert (error["field"], error["code"]) == (f"absences.0.{field}", code)
    assert list(doors.web_absence(first, last)) == [field]
    assert not Absence.objects.exists()


def test_an_absence_ending_two_years_ahead_is_fine(doors: Doors) -> None:
    doors.web.post("/availability/absences/", absence(doors.day(0), doors.day(730)))
    assert Absence.objects.count() == 1


@pytest.mark.parametrize("note", ["Vaca\x00tion", "Vaca\x07tion", "two\nlines"])
def test_control_characters_in_the_note_are_refused_naming_the_field(
    doors: Doors, note: str
) -> None:
    error = doors.api({"absences": [absence(doors.day(1), doors.day(2), note)]})
    assert (error["field"], error["code"], error["message"]) == (
        "absences.0.note",
        "control_characters",
        CONTROL,
    )
    first, last = doors.day(1).isoformat(), doors.day(2).isoformat()
    if "\n" in note:
        # A line break is not a control character to the input guard, so the form sees it.
        assert list(doors.web_absence(first, last, note)) == ["note"]
    else:
        # Every page's input guard answers first, naming the field (core/input_guard.py).
        response = doors.web.post(
            "/availability/absences/", {"first_day": first, "last_day": last, "note": note}
        )
        assert response.status_code == 400
        assert "note" in response.content.decode()
    assert not Absence.objects.exists()


def test_an_absence_under_way_can_be_listed_again_by_the_api(doors: Doors) -> None:
    """The API replaces the list: an absence that began yesterday stays when sent back."""
    yesterday = doors.day(-1)
    Absence.objects.create(
        agent=doors.agent,
        starts_at=timezone.datetime.combine(
            yesterday, timezone.datetime.min.time(), doors.agent.zone
        ),
        ends_at=timezone.datetime.combine(
            doors.day(3), timezone.datetime.min.time(), doors.agent.zone
        ),
    )
    response = doors.api_client.put(
        "/api/v1/agent/availability",
        {
            "absences": [
                absence(yesterday, doors.day(2), "Leave"),
                absence(doors.day(9), doors.day(9)),
            ]
        },
        content_type="application/json",
        **doors.auth,
    )
    assert response.status_code == 200, response.content
    assert list(Absence.objects.order_by("starts_at").values_list("note", flat=True)) == [
        "Leave",
        "",
    ]
    assert AgentChange.objects.filter(agent=doors.agent, kind="absences", channel="api").exists()
