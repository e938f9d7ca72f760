"""The agent's profile: contact details, languages, state preferences and eligibility."""

import pytest
from django.test import Client

from agentmatch.agents.models import Agent
from agentmatch.eligibility.models import RoutingState
from agentmatch.testing import give_license, make_agent_user

pytestmark = pytest.mark.django_db

SEED_STATES = ["AK", "AL", "AR", "AZ", "UT", "WI", "WY"]


@pytest.fixture
def pat(plan_year, client: Client):  # type: ignore[no-untyped-def]
    user = make_agent_user(username="pat.agent", licensed=SEED_STATES, zip_code="53703")
    client.force_login(user)
    return user


def test_the_agent_edits_phone_contact_method_and_zip(pat, client: Client) -> None:
    response = client.post(
        "/accounts/profile/",
        {
            "section": "contact",
            "cell_phone": "414 555 0199",
            "contact_method": "email_app",
            "zip_code": "53202",
        },
    )
    assert response.status_code == 302
    agent = Agent.objects.get(pk=pat.agent_id)
    assert (agent.cell_phone, agent.contact_method, agent.business_zip) == (
        "+14145550199",
        "email_app",
        "53202",
    )
    assert agent.business_city == "Milwaukee" and agent.time_zone == "America/Chicago"


def test_a_bad_zip_is_named_and_nothing_changes(pat, client: Client) -> None:
    response = client.post(
        "/accounts/profile/",
        {
            "section": "contact",
            "cell_phone": "414 555 0199",
            "contact_method": "email",
            "zip_code": "00000",
        },
    )
    assert response.status_code == 200
    assert "00000" in " ".join(response.context["contact_form"].errors["zip_code"])
    agent = Agent.objects.get(pk=pat.agent_id)
    assert agent.business_zip == "53703" and agent.contact_method != "email"


def test_the_agent_edits_languages(pat, client: Client) -> None:
    client.post("/accounts/profile/", {"section": "languages", "languages": "English, es, vi"})
    assert set(pat.agent.languages.values_list("language", flat=True)) == {"en", "es", "vi"}
    bad = client.post("/accounts/profile/", {"section": "languages", "languages": "Klingon"})
    assert "Klingon" in " ".join(bad.context["languages_form"].errors["languages"])
    assert set(pat.agent.languages.values_list("language", flat=True)) == {"en", "es", "vi"}


def test_deselecting_wi_stops_wi_referrals_only(pat, client: Client) -> None:
    """The tip sheet's example: licensed in AK, AL, AR, AZ, UT, WI, WY; deselects WI."""
    keep = [s for s in SEED_STATES if s != "WI"]
    response = client.post("/accounts/profile/", {"section": "states", "states": keep})
    assert response.status_code == 302
    assert set(RoutingState.objects.filter(agent=pat.agent).values_list("state", flat=True)) == set(
        keep
    )
    page = client.get("/accounts/profile/").content.decode()
    assert "agent deselected WI" in page


def test_states_outside_eligibility_cannot_be_chosen(pat, client: Client) -> None:
    give_license(pat.agent, "IA", lines=["Property", "Casualty"])
    response = client.post("/accounts/profile/", {"section": "states", "states": ["WI", "IA"]})
    assert response.status_code == 200
    assert set(RoutingState.objects.filter(agent=pat.agent).values_list("state", flat=True)) == set(
        SEED_STATES
    )


def test_each_state_shows_why_referrals_do_not_come(pat, client: Client) -> None:
    give_license(pat.agent, "IA", lines=["Property", "Casualty"])
    give_license(pat.agent, "KS", active=False)
    give_license(pat.agent, "CA")
    rows = {r["state"]: r for r in client.get("/accounts/profile/").context["eligibility"]}
    assert rows["WI"]["ok"] is True
    assert "no active health line of authority" in rows["IA"]["reasons"][0]
    assert "KS license is not active" in rows["KS"]["reasons"]
    assert any("runs its own exchange" in r for r in rows["CA"]["reasons"])
    assert "no TX license on record from NIPR" in rows["TX"]["reasons"]
    page = client.get("/accounts/profile/").content.decode()
    assert "FFMProducer-Assister@cms.hhs.gov" in page


def test_display_option_4_is_explained(plan_year, client: Client) -> None:
    client.force_login(make_agent_user(username="dana", licensed=["WI"], display_option=4))
    page = client.get("/accounts/profile/").content.decode()
    assert "do not participate" in page and "MLMS" in page


def test_the_profile_shows_only_the_logged_in_agents_data(pat, client: Client) -> None:
    other = make_agent_user(username="other", licensed=["WI"], first_name="Olga", npn="9876543")
    page = client.get("/accounts/profile/").content.decode()
    assert other.agent.npn not in page and "Olga" not in page
    # Profile edits go to the logged-in agent, whatever the form says.
    client.post(
        "/accounts/profile/", {"section": "languages", "languages": "fr", "agent": other.agent_id}
    )
    assert list(other.agent.languages.values_list("language", flat=True)) == ["en"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"registered": False}, "NPN is not on the Registration Completion List"),
        ({"rcl_valid": False}, "NPN is on the Registration Completion List but not valid"),
        ({"trained": False}, "no training completion in the MLMS roster"),
        ({"display_option": 3, "home_state": "IA"}, "display option 3: home state (IA) only"),
    ],
    ids=["not-on-rcl", "rcl-invalid", "untrained", "display-3-elsewhere"],
)
def test_agent_wide_reasons_show_on_each_state(plan_year, client: Client, options, reason) -> None:
    user = make_agent_user(username="sam", licensed=["WI"], zip_code="53703", **options)
    client.force_login(user)
    rows = {r["state"]: r for r in client.get("/accounts/profile/").context["eligibility"]}
    assert rows["WI"]["ok"] is False
    assert reason in rows["WI"]["reasons"]
