"""Languages, state choices and contact details: one action each, whichever door, with one
routing refresh, one audit row, and one time zone for the agent everywhere."""

from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.agents.models import AgentChange
from agentmatch.agents.services import agent_zone, availability_of
from agentmatch.eligibility import routing_table
from agentmatch.eligibility import services as eligibility_services
from agentmatch.eligibility.models import RoutingState
from agentmatch.notifications.rendering import agent_time_zone
from agentmatch.testing import api_token_for, make_agent, make_agent_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat(plan_year, client: Client):  # type: ignore[no-untyped-def]
    user = make_agent_user(username="pat.agent", licensed=["WI", "IA"], zip_code="53703")
    client.force_login(user)
    return user


def routing_refreshes():  # type: ignore[no-untyped-def]
    """Counts routing refreshes per agent, whoever calls refresh_routing_states."""
    return mock.patch.object(
        eligibility_services, "routable_states", wraps=eligibility_services.routable_states
    )


def test_saving_state_preferences_on_the_profile_refreshes_routing_once(pat, client) -> None:
    with routing_refreshes() as refresh:
        response = client.post("/accounts/profile/", {"section": "states", "states": ["IA"]})
    assert response.status_code == 302
    assert refresh.call_count == 1
    assert list(RoutingState.objects.filter(agent=pat.agent).values_list("state", flat=True)) == [
        "IA"
    ]


def test_saving_preferences_through_the_api_refreshes_routing_once(pat) -> None:
    token = api_token_for(pat.agent)
    with routing_refreshes() as refresh:
        response = Client().put(
            "/api/v1/agent/preferences",
            {"states": ["IA"], "languages": ["en", "es"]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 200, response.content
    assert refresh.call_count == 1


def test_each_profile_section_leaves_one_audit_row(pat, client) -> None:
    client.post("/accounts/profile/", {"section": "languages", "languages": "en, es"})
    client.post("/accounts/profile/", {"section": "states", "states": ["WI"]})
    with mock.patch(
        "agentmatch.eligibility.agent_facts.rebuild_slots", wraps=routing_table.rebuild_slots
    ) as rebuild:
        client.post(
            "/accounts/profile/",
            {
                "section": "contact",
                "cell_phone": "(414) 555-0100",
                "contact_method": "email",
                "zip_code": "53202",
            },
        )
    rows = list(
        AgentChange.objects.filter(agent=pat.agent).order_by("pk").values_list("kind", "channel")
    )
    assert rows == [("languages", "web"), ("states", "web"), ("contact", "web")]
    detail = AgentChange.objects.get(kind="contact").detail
    assert "latitude" in detail and "5550100" not in detail  # what changed, not the values
    assert rebuild.call_count == 1  # the ZIP moved the agent: their slots, once


def test_a_refused_change_leaves_no_audit_row(pat, client) -> None:
    client.post("/accounts/profile/", {"section": "languages", "languages": "Klingon"})
    client.post("/accounts/profile/", {"section": "states", "states": ["TX"]})
    assert not AgentChange.objects.exists()


@pytest.mark.parametrize("stored", ["", "Mars/Olympus_Mons", "../etc/passwd"])
def test_an_agent_without_a_known_time_zone_is_on_eastern_time_everywhere(
    plan_year, stored: str
) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], switch="schedule")
    agent.time_zone = stored
    reason = availability_of(agent=agent, now=timezone.now()).reason
    zones = {agent_zone(agent).key, agent_time_zone(agent).key, agent.zone.key}
    assert zones == {"America/New_York"}
    assert "(America/New_York)" in reason
