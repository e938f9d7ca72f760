"""The availability page and the header switch, through the test client."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.agents.models import Absence, Agent, AvailabilitySwitch, WeeklyHours
from agentmatch.agents.services import agent_zone
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.referrals.models import Offer
from agentmatch.testing import make_agent_user, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat(plan_year, client: Client):  # type: ignore[no-untyped-def]
    user = make_agent_user(username="pat.agent", licensed=["WI"], zip_code="53703")
    client.force_login(user)
    return user


def agent_of(user) -> Agent:  # type: ignore[no-untyped-def]
    return Agent.objects.get(pk=user.agent_id)


def local_today(agent: Agent):  # type: ignore[no-untyped-def]
    return timezone.now().astimezone(agent_zone(agent)).date()


def test_the_page_shows_the_switch_hours_and_absences(pat, client: Client) -> None:
    page = client.get("/availability/").content.decode()
    assert 'id="availability-switch"' in page
    assert "Weekly operating hours" in page and "Extended absences" in page
    assert "America/Chicago" in page
    assert 'name="action" value="add-0"' in page


def test_people_who_are_not_agents_are_sent_away(plan_year, client: Client) -> None:
    assert client.get("/availability/").status_code == 302
    from agentmatch.testing import make_operator

    client.force_login(make_operator())
    assert client.get("/availability/")["Location"] == "/accounts/"


def test_the_switch_turns_off_and_on_without_javascript(pat, client: Client) -> None:
    response = client.post("/availability/switch/", {"switch": "off", "next": "/accounts/profile/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    agent = agent_of(pat)
    assert agent.availability_switch == AvailabilitySwitch.OFF and agent.is_available is False
    assert set(RoutingSlot.objects.filter(agent=agent).values_list("is_available", flat=True)) == {
        False
    }
    client.post("/availability/switch/", {"switch": "on", "next": "https://evil.example/"})
    assert agent_of(pat).is_available is True


def test_the_switch_with_htmx_returns_the_new_switch(pat, client: Client) -> None:
    response = client.post("/availability/switch/", {"switch": "off"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "am-switch--off" in html and "Not available" in html and 'value="on"' in html


def test_switching_on_offers_a_waiting_referral(pat, client: Client) -> None:
    client.post("/availability/switch/", {"switch": "off"})
    referral = make_referral(zip_code="53703")
    assert not Offer.objects.filter(referral=referral).exists()
    client.post("/availability/switch/", {"switch": "on"})
    assert Offer.objects.get(referral=referral).agent_id == pat.agent_id


def test_a_bad_switch_value_changes_nothing(pat, client: Client) -> None:
    client.post("/availability/switch/", {"switch": "schedule"})
    assert agent_of(pat).availability_switch == AvailabilitySwitch.ON


def test_the_mode_can_go_back_to_weekly_hours(pat, client: Client) -> None:
    assert client.post("/availability/mode/", {"switch": "schedule"}).status_code == 302
    agent = agent_of(pat)
    assert agent.availability_switch == AvailabilitySwitch.SCHEDULE
    assert agent.is_available is False  # no hours yet
    assert client.post("/availability/mode/", {"switch": "sometimes"}).status_code == 200


def test_weekly_hours_are_saved_with_several_ranges(pat, client: Client) -> None:
    response = client.post(
        "/availability/hours/",
        {
            "hours-0-0-start": "08:00",
            "hours-0-0-end": "12:00",
            "hours-0-1-start": "1:00 PM",
            "hours-0-1-end": "17:30",
            "hours-4-0-start": "18:00",
            "hours-4-0-end": "00:00",
            "hours-5-0-start": "",
            "hours-5-0-end": "",
            "action": "save",
        },
    )
    assert response.status_code == 302
    rows = list(
        WeeklyHours.objects.filter(agent_id=pat.agent_id).values_list(
            "weekday", "starts_at", "ends_at"
        )
    )
    assert [(d, s.strftime("%H:%M"), e.strftime("%H:%M")) for d, s, e in rows] == [
        (0, "08:00", "12:00"),
        (0, "13:00", "17:30"),
        (4, "18:00", "00:00"),
    ]


def test_bad_hours_show_errors_on_their_fields_and_save_nothing(pat, client: Client) -> None:
    response = client.post(
        "/availability/hours/",
        {
            "hours-0-0-start": "09:00",
            "hours-0-0-end": "08:00",
            "hours-1-0-start": "09:00",
            "hours-1-0-end": "13:00",
            "hours-1-1-start": "12:00",
            "hours-1-1-end": "14:00",
            "hours-2-0-start": "nine",
            "hours-2-0-end": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end time must be after the start time." in html
    assert "This range overlaps another range on the same day." in html
    assert "Enter a time like 09:00 or 5:30 PM." in html
    assert "Enter both a start and an end time." in html
    assert 'aria-describedby="hours-0-0-end-error"' in html
    assert 'href="#hours-1-1-start"' in html  # the error summary links to the field
    assert not WeeklyHours.objects.filter(agent_id=pat.agent_id).exists()


def test_add_gives_an_empty_range_and_remove_saves_without_it(pat, client: Client) -> None:
    data = {"hours-2-0-start": "09:00", "hours-2-0-end": "10:00"}
    added = client.post("/availability/hours/", {**data, "action": "add-2"})
    assert added.status_code == 200
    assert 'name="hours-2-1-start"' in added.content.decode()
    assert not WeeklyHours.objects.filter(agent_id=pat.agent_id).exists()  # not saved yet
    client.post("/availability/hours/", {**data, "action": "save"})
    assert WeeklyHours.objects.filter(agent_id=pat.agent_id).count() == 1
    client.post("/availability/hours/", {**data, "action": "remove-2-0"})
    assert not WeeklyHours.objects.filter(agent_id=pat.agent_id).exists()


def test_hours_with_htmx_return_the_section_and_the_switch(pat, client: Client) -> None:
    response = client.post(
        "/availability/hours/",
        {"hours-0-0-start": "09:00", "hours-0-0-end": "17:00"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="weekly-hours"')
    assert 'hx-swap-oob="true"' in html and "Your weekly hours were saved." in html


def test_an_absence_is_added_listed_and_deleted(pat, client: Client) -> None:
    agent = agent_of(pat)
    today = local_today(agent)
    response = client.post(
        "/availability/absences/",
        {
            "first_day": today.strftime("%m/%d/%Y"),
            "last_day": (today + timedelta(days=3)).isoformat(),
            "note": "Vacation",
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get(agent=agent)
    assert agent_of(pat).is_available is False
    page = client.get("/availability/").content.decode()
    assert "Vacation" in page and f"/availability/absences/{absence.pk}/delete/" in page
    client.post(f"/availability/absences/{absence.pk}/delete/")
    assert not Absence.objects.filter(agent=agent).exists()
    assert agent_of(pat).is_available is True


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (-1, 2, "The first day cannot be in the past."),
        (3, 1, "The last day must be on or after the first day."),
        (None, 1, "Enter a date like 07/04/2026."),
    ],
    ids=["past", "reversed", "not-a-date"],
)
def test_bad_absences_are_named_on_their_field(pat, client: Client, first, last, message) -> None:
    today = local_today(agent_of(pat))
    response = client.post(
        "/availability/absences/",
        {
            "first_day": "soon"
            if first is None
            else (today + timedelta(days=first)).strftime("%m/%d/%Y"),
            "last_day": (today + timedelta(days=last)).strftime("%m/%d/%Y"),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Absence.objects.exists()


def test_another_agents_absence_cannot_be_deleted(pat, client: Client) -> None:
    other = make_agent_user(username="other", licensed=["WI"])
    today = local_today(agent_of(pat))
    from agentmatch.agents.services import add_absence

    absence = add_absence(
        agent=other.agent, first_day=today, last_day=today, note="", now=timezone.now()
    )
    client.post(f"/availability/absences/{absence.pk}/delete/")
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_the_header_of_other_agent_pages_shows_the_switch(pat, client: Client) -> None:
    page = client.get("/accounts/profile/").content.decode()
    assert 'id="availability-switch"' in page and "am-switch--on" in page
