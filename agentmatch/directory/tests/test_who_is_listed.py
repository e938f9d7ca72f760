"""Only agents eligible in the consumer's state by routing's own rules are listed: never
the untrained, the unlicensed, the terminated, the half-registered or the deactivated.
State preferences for referrals do not hide an agent; their directory choice does."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.agent_actions import change_directory_listing, change_state_preferences
from agentmatch.agents.contact import ContactDetails
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import AgentChange, ChangeKind, Channel
from agentmatch.directory.tests.helpers import IA_CONSUMER, WI_CONSUMER, api, listed_agent
from agentmatch.eligibility.agent_facts import update_contact
from agentmatch.eligibility.models import DirectoryListing, RegistrationTermination
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.operations.actions import deactivate_agent, reactivate_agent
from agentmatch.testing import make_operator

pytestmark = pytest.mark.django_db


def names(consumer_zip: str) -> list[str]:
    return [a["name"] for a in api(Client(), zip=consumer_zip).json()["agents"]]


@pytest.mark.parametrize(
    "setting",
    [
        {"trained": False},
        {"registered": False},
        {"rcl_valid": False},
        {"service_registered": False},
        {"display_option": 4},
    ],
    ids=["no training", "not on the RCL", "NPN not valid", "registration incomplete", "option 4"],
)
def test_an_ineligible_agent_is_never_listed(plan_year, setting):
    listed_agent(**setting)

    assert names(WI_CONSUMER) == []
    assert names(IA_CONSUMER) == []


def test_an_agent_without_a_license_in_the_consumers_state_is_not_listed_there(plan_year):
    listed_agent(licensed=["IA"])

    assert names(WI_CONSUMER) == []
    assert names(IA_CONSUMER) == ["Paloma Quintero"]


def test_an_agent_terminated_on_the_rtl_is_not_listed(plan_year):
    agent = listed_agent()
    RegistrationTermination.objects.create(
        npn_key=agent.npn_key,
        status="T3",
        marketplaces="Individual",
        plan_year=2026,
        effective_on=date.today() - timedelta(days=1),
    )
    refresh_routing_states(agents=[agent], plan_year=plan_year, today=date.today())

    assert names(WI_CONSUMER) == []


def test_a_deactivated_agent_is_not_listed_until_reactivated(plan_year):
    agent = listed_agent()
    operator = make_operator()
    deactivate_agent(operator=operator, agent=agent, reason="complaint", now=timezone.now())

    assert names(WI_CONSUMER) == []

    reactivate_agent(operator=operator, agent=agent, now=timezone.now())
    assert names(WI_CONSUMER) == ["Paloma Quintero"]


def test_a_deactivated_agent_is_not_listed_even_with_a_stale_listing(plan_year):
    agent = listed_agent()
    deactivate_agent(operator=make_operator(), agent=agent, reason="x", now=timezone.now())
    # As if a refresh were missed: the listing is still there, where the agent is.
    DirectoryListing.objects.create(
        agent=agent, state="WI", latitude=agent.latitude, longitude=agent.longitude
    )

    assert names(WI_CONSUMER) == []


def test_deselecting_a_state_for_referrals_keeps_the_agent_in_its_directory(plan_year):
    agent = listed_agent()
    change_state_preferences(agent=agent, now=timezone.now(), channel=Channel.WEB, states=["IA"])

    assert names(WI_CONSUMER) == ["Paloma Quintero"]
    assert names(IA_CONSUMER) == ["Paloma Quintero"]


def test_an_agent_who_opts_out_of_a_state_is_not_listed_there(plan_year):
    agent = listed_agent()
    change_directory_listing(agent=agent, now=timezone.now(), channel=Channel.WEB, states=["WI"])

    assert names(WI_CONSUMER) == ["Paloma Quintero"]
    assert names(IA_CONSUMER) == []
    change = AgentChange.objects.get(agent=agent, kind=ChangeKind.DIRECTORY)
    assert change.detail == "listed in: WI"

    change_directory_listing(
        agent=agent, now=timezone.now(), channel=Channel.WEB, states=["WI", "IA"]
    )
    assert names(IA_CONSUMER) == ["Paloma Quintero"]


def test_opting_out_of_the_directory_leaves_referrals_alone(plan_year):
    agent = listed_agent()
    change_directory_listing(agent=agent, now=timezone.now(), channel=Channel.WEB, states=[])

    assert names(WI_CONSUMER) == []
    assert sorted(agent.routing_states.values_list("state", flat=True)) == ["IA", "WI"]


def test_an_agent_cannot_list_themselves_where_they_are_not_eligible(plan_year):
    agent = listed_agent(licensed=["WI"])

    with pytest.raises(SettingError) as refused:
        change_directory_listing(
            agent=agent, now=timezone.now(), channel=Channel.WEB, states=["WI", "IA"]
        )

    assert "IA" in refused.value.message
    assert names(WI_CONSUMER) == ["Paloma Quintero"]


def test_an_agent_who_moves_is_found_from_their_new_place(plan_year):
    agent = listed_agent()  # Platteville, about 60 miles from Madison
    update_contact(
        agent=agent,
        details=ContactDetails(agent.cell_phone, agent.contact_method, "53711"),
        now=timezone.now(),
    )

    found = api(Client(), zip=WI_CONSUMER, radius=10).json()["agents"]
    assert [(a["name"], a["city"]) for a in found] == [("Paloma Quintero", "Madison")]
