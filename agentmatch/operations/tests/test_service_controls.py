"""Intake and plan years from the web (/ops/service/): administrators only, every change
audited with its before and after, bad input a 400 that changes nothing."""

import pytest
from django.test import Client

from agentmatch.eligibility.models import RoutingState
from agentmatch.operations.models import ControlChange
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import STATES_SERVED_2026, served_states
from agentmatch.testing import make_agent, make_operator, make_referral

pytestmark = pytest.mark.django_db

PAGES = [
    ("get", "/ops/service/"),
    ("get", "/ops/service/new/"),
    ("get", "/ops/service/2026/states/"),
    ("post", "/ops/service/"),
    ("post", "/ops/service/new/"),
    ("post", "/ops/service/2026/current/"),
    ("post", "/ops/service/2026/states/"),
]


@pytest.fixture
def admin(plan_year):  # type: ignore[no-untyped-def]
    return make_operator(username="ada.admin", role="administrator")


@pytest.fixture
def admin_client(admin):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin)
    return client


def changes(kind: str) -> list[ControlChange]:
    return list(ControlChange.objects.filter(kind=kind))


def pause(client, **fields):  # type: ignore[no-untyped-def]
    data = {"action": "pause", "message": "", "message_es": "", **fields}
    return client.post("/ops/service/", data)


# Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_an_operator_cannot_use_the_service_controls(operator_client, method, url):
    response = getattr(operator_client, method)(url, {"action": "pause", "states": ["WI"]})
    assert response.status_code == 403
    assert PlanYear.objects.get(year=2026).intake_open and not ControlChange.objects.exists()


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_an_agent_cannot_use_the_service_controls(agent_client, method, url):
    response = getattr(agent_client, method)(url, {"action": "pause", "states": ["WI"]})
    assert response.status_code == 403
    assert PlanYear.objects.get(year=2026).intake_open and not ControlChange.objects.exists()


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_a_stranger_is_sent_to_log_in_from_the_service_controls(plan_year, method, url):
    response = getattr(Client(), method)(url, {"action": "pause"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert PlanYear.objects.get(year=2026).intake_open


def test_the_controls_hub_leads_to_the_service_page(admin_client):
    page = admin_client.get("/ops/controls/").content.decode()
    assert 'href="/ops/service/"' in page


# Intake ----------------------------------------------------------------------------------


def test_the_service_page_lists_plan_years_and_says_how_soon_a_change_shows(admin_client, settings):
    settings.PLAN_YEAR_CACHE_SECONDS = 5.0  # a float, as the environment gives it
    PlanYear.objects.create(year=2027)
    response = admin_client.get("/ops/service/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "2027" in page and "Current" in page
    assert f'<td data-label="States served">{len(STATES_SERVED_2026)}</td>' in page
    assert "for 5 seconds" in page


def test_an_administrator_pauses_intake_with_messages_in_both_languages(admin_client, admin):
    response = pause(
        admin_client, message="Back on January 1.", message_es="Volvemos el 1 de enero."
    )
    assert response.status_code == 302
    year = PlanYear.objects.get(year=2026)
    assert not year.intake_open
    assert year.intake_paused_message == "Back on January 1."
    assert year.intake_paused_message_es == "Volvemos el 1 de enero."
    [change] = changes("intake_paused")
    assert change.operator == admin and change.subject == "2026"
    assert change.detail == {
        "before": {"open": True, "message": "", "message_es": ""},
        "after": {
            "open": False,
            "message": "Back on January 1.",
            "message_es": "Volvemos el 1 de enero.",
        },
    }


def test_changing_the_messages_while_paused_is_audited_as_a_message_change(admin_client):
    pause(admin_client, message="Back soon.")
    response = admin_client.post(
        "/ops/service/", {"action": "message", "message": "Back soon.", "message_es": "Pronto."}
    )
    assert response.status_code == 302
    assert PlanYear.objects.get(year=2026).intake_paused_message_es == "Pronto."
    [change] = changes("intake_message")
    assert change.detail["before"]["message_es"] == ""
    assert change.detail["after"]["message_es"] == "Pronto."
    assert not PlanYear.objects.get(year=2026).intake_open


def test_an_administrator_resumes_intake_and_the_messages_stay_for_next_time(admin_client):
    pause(admin_client, message="Back soon.", message_es="Pronto.")
    response = admin_client.post(
        "/ops/service/", {"action": "resume", "message": "Back soon.", "message_es": "Pronto."}
    )
    assert response.status_code == 302
    year = PlanYear.objects.get(year=2026)
    assert year.intake_open and year.intake_paused_message_es == "Pronto."
    [change] = changes("intake_resumed")
    assert change.detail["before"]["open"] is False and change.detail["after"]["open"] is True


def test_pausing_twice_records_one_change(admin_client):
    pause(admin_client, message="Back soon.")
    pause(admin_client, message="Back soon.")
    assert len(changes("intake_paused")) == 1
    assert ControlChange.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"message": "x" * 301}, "at most 300 characters"),
        ({"message_es": "y" * 301}, "at most 300 characters"),
        ({"message": "Back\non January 1."}, "control character"),
        ({"message_es": "Volvemos\x07"}, "control character"),
        ({"message": "nul\x00"}, "control character"),
        ({"action": "explode"}, "Select a valid choice"),
    ],
)
def test_a_bad_message_is_refused_and_nothing_changes(admin_client, fields, problem):
    response = pause(admin_client, **fields)
    assert response.status_code == 400
    assert problem in response.content.decode()
    year = PlanYear.objects.get(year=2026)
    assert year.intake_open and year.intake_paused_message == ""
    assert not ControlChange.objects.exists()


# Plan years ------------------------------------------------------------------------------


def test_an_administrator_creates_a_plan_year(admin_client, admin):
    response = admin_client.post(
        "/ops/service/new/", {"year": "2027", "states": ["WI", "AR", "IL"], "sbm_fp": ["AR"]}
    )
    assert response.status_code == 302
    year = PlanYear.objects.get(year=2027)
    assert not year.is_current and year.intake_open
    assert served_states(year) == {"WI", "AR", "IL"}
    assert year.served_states.get(state="AR").platform == "SBM-FP"
    assert year.served_states.get(state="WI").platform == "FFM"
    [change] = changes("plan_year_created")
    assert change.operator == admin and change.subject == "2027"
    assert change.detail == {"before": None, "after": {"states": ["AR*", "IL", "WI"]}}


def test_the_2026_preset_checks_the_healthcare_gov_states(admin_client):
    page = admin_client.get("/ops/service/new/?preset=healthcare-gov-2026").content.decode()
    assert page.count("checked") == len(STATES_SERVED_2026) + 2  # + AR and OR as SBM-FP
    assert 'id="state-WI" name="states" value="WI" checked' in page
    assert 'id="sbm-OR" name="sbm_fp" value="OR" checked' in page
    assert 'id="state-CA" name="states" value="CA">' in page


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"year": "1999", "states": ["WI"]}, "between 2014 and 2100"),
        ({"year": "2101", "states": ["WI"]}, "between 2014 and 2100"),
        ({"year": "next", "states": ["WI"]}, "as a number"),
        ({"year": "2027", "states": ["WI", "XX"]}, "XX is not one of the available choices"),
        ({"year": "2027", "states": ["WI"], "sbm_fp": ["ZZ"]}, "ZZ is not one of"),
        ({"year": "2027"}, "Choose at least one state served"),
        ({"year": "2026", "states": ["WI"]}, "Plan year 2026 already exists"),
    ],
)
def test_a_bad_plan_year_is_refused_and_nothing_changes(admin_client, fields, problem):
    response = admin_client.post("/ops/service/new/", fields)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert list(PlanYear.objects.values_list("year", flat=True)) == [2026]
    assert len(served_states(PlanYear.objects.get(year=2026))) == len(STATES_SERVED_2026)
    assert not ControlChange.objects.exists()


def test_an_administrator_makes_a_plan_year_current_and_routing_follows(admin_client, admin):
    agent = make_agent(zip_code="53703", licensed=["WI", "IL"])
    assert set(RoutingState.objects.filter(agent=agent).values_list("state", flat=True)) == {"WI"}
    admin_client.post("/ops/service/new/", {"year": "2027", "states": ["IL"]})
    response = admin_client.post("/ops/service/2027/current/")
    assert response.status_code == 302
    assert PlanYear.objects.get(is_current=True).year == 2027
    # 2027 does not serve WI: nobody is routed for it any more.
    assert not RoutingState.objects.filter(agent=agent, state="WI").exists()
    [change] = changes("plan_year_current")
    assert change.operator == admin and change.detail == {"before": 2026, "after": 2027}


def test_making_an_unknown_year_current_changes_nothing(admin_client):
    response = admin_client.post("/ops/service/2031/current/", follow=True)
    assert "There is no plan year 2031" in response.content.decode()
    assert PlanYear.objects.get(is_current=True).year == 2026
    assert not ControlChange.objects.exists()


# Served states ---------------------------------------------------------------------------


def test_an_administrator_adds_a_state_and_it_is_routed_at_once(admin_client, admin):
    agent = make_agent(zip_code="53703", licensed=["WI", "IL"])
    states = [s.rstrip("*") for s in STATES_SERVED_2026] + ["IL"]
    response = admin_client.post(
        "/ops/service/2026/states/", {"states": states, "sbm_fp": ["AR", "OR"]}
    )
    assert response.status_code == 302
    assert "IL" in served_states(PlanYear.objects.get(year=2026))
    assert RoutingState.objects.filter(agent=agent, state="IL").exists()
    [change] = changes("served_states")
    assert change.operator == admin and change.subject == "2026"
    assert change.detail["added"] == ["IL"] and change.detail["removed"] == []
    assert "IL" in change.detail["after"] and "IL" not in change.detail["before"]
    assert "AR*" in change.detail["after"]


def test_removing_a_state_in_use_asks_to_confirm_with_the_counts(admin_client, admin):
    agent = make_agent(zip_code="53703", licensed=["WI"])
    make_referral(zip_code="53703")
    states = [s.rstrip("*") for s in STATES_SERVED_2026 if s != "WI"]
    response = admin_client.post("/ops/service/2026/states/", {"states": states})
    page = response.content.decode()
    assert response.status_code == 200 and "Confirm removing states" in page
    assert '<td data-label="Open requests">1</td>' in page
    assert '<td data-label="Agents routed">1</td>' in page
    # Nothing changed yet.
    assert "WI" in served_states(PlanYear.objects.get(year=2026))
    assert not ControlChange.objects.exists()
    # The second screen carries the same choice, confirmed.
    assert 'name="confirmed" value="on"' in page
    response = admin_client.post("/ops/service/2026/states/", {"states": states, "confirmed": "on"})
    assert response.status_code == 302
    assert "WI" not in served_states(PlanYear.objects.get(year=2026))
    assert not RoutingState.objects.filter(agent=agent, state="WI").exists()
    [change] = changes("served_states")
    assert change.detail["removed"] == ["WI"]


def test_removing_a_state_nobody_uses_needs_no_confirmation(admin_client):
    states = [s for s in STATES_SERVED_2026 if s != "WY"]
    response = admin_client.post(
        "/ops/service/2026/states/",
        {"states": [s.rstrip("*") for s in states], "sbm_fp": ["AR", "OR"]},
    )
    assert response.status_code == 302
    assert "WY" not in served_states(PlanYear.objects.get(year=2026))
    assert changes("served_states")[0].detail["removed"] == ["WY"]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"states": ["WI", "QQ"]}, "QQ is not one of the available choices"),
        ({}, "Choose at least one state served"),
    ],
)
def test_bad_states_are_refused_and_nothing_changes(admin_client, fields, problem):
    response = admin_client.post("/ops/service/2026/states/", fields)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert len(served_states(PlanYear.objects.get(year=2026))) == len(STATES_SERVED_2026)
    assert not ControlChange.objects.exists()


def test_the_states_page_of_an_unknown_year_is_not_found(admin_client):
    assert admin_client.get("/ops/service/2031/states/").status_code == 404


def test_a_forged_cross_site_pause_is_refused(admin):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    for url, data in (
        ("/ops/service/", {"action": "pause", "message": "", "message_es": ""}),
        ("/ops/service/new/", {"year": "2027", "states": ["WI"]}),
        ("/ops/service/2026/states/", {"states": ["WI"], "confirmed": "on"}),
    ):
        assert strict.post(url, data).status_code == 403
    assert PlanYear.objects.get(year=2026).intake_open
    assert list(PlanYear.objects.values_list("year", flat=True)) == [2026]
    assert not ControlChange.objects.exists()


def test_eligibility_refuses_an_unknown_state_code_whoever_calls_it(plan_year):
    from django.utils import timezone

    from agentmatch.eligibility.actions import PlanYearError, configure_plan_year

    with pytest.raises(PlanYearError, match="'XX' is not a US state code"):
        configure_plan_year(
            year=2026,
            states=["WI", "XX"],
            make_current=False,
            intake_open=None,
            paused_message=None,
            now=timezone.now(),
        )
    assert len(served_states(PlanYear.objects.get(year=2026))) == len(STATES_SERVED_2026)
