"""The routing index (RoutingSlot) stays an exact copy through every kind of change."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agentmatch.accounts.agent_actions import (
    change_contact_details,
    change_languages,
    change_state_preferences,
)
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail, sign_up_form, token_from
from agentmatch.agents.contact import ContactDetails
from agentmatch.agents.models import Agent, AgentLanguage, AvailabilitySwitch, Channel
from agentmatch.agents.profile import ProfileData
from agentmatch.core.jobs import run_due_jobs
from agentmatch.eligibility.agent_facts import save_profile, set_availability
from agentmatch.eligibility.models import RegistrationTermination, RoutingSlot, RoutingState
from agentmatch.eligibility.routing_table import rebuild_all_slots
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.referrals.models import Offer
from agentmatch.testing import give_license, make_agent, make_referral

pytestmark = pytest.mark.django_db


def expected() -> set[tuple]:
    """What the index must hold: RoutingState x AgentLanguage x the agent's location."""
    agents = {a.pk: (a.latitude, a.longitude, a.is_available) for a in Agent.objects.all()}
    speaks: dict[int, set[str]] = {}
    for agent_id, language in AgentLanguage.objects.values_list("agent_id", "language"):
        speaks.setdefault(agent_id, set()).add(language)
    return {
        (agent_id, state, language, *agents[agent_id])
        for agent_id, state in RoutingState.objects.values_list("agent_id", "state")
        for language in speaks.get(agent_id, ())
    }


def actual() -> set[tuple]:
    return set(
        RoutingSlot.objects.values_list(
            "agent_id", "state", "language", "latitude", "longitude", "is_available"
        )
    )


def assert_in_step() -> None:
    assert actual() == expected()


def test_new_agents_get_their_slots(plan_year) -> None:
    make_agent(zip_code="53703", licensed=["WI", "IA"], languages=["en", "es"])
    assert len(actual()) == 4
    assert_in_step()


def test_language_changes_follow(plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], languages=["en"])
    change_languages(agent=agent, now=timezone.now(), channel=Channel.WEB, languages=["es", "vi"])
    assert_in_step()
    assert {s[2] for s in actual()} == {"es", "vi"}


def test_moving_follows_through_the_roster_and_the_profile(plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"])
    save_profile(
        data=ProfileData(npn=agent.npn, first_name="A", last_name="B", business_zip="54601"),
        now=timezone.now(),
    )
    assert_in_step()
    assert {round(s[3]) for s in actual()} == {44}  # La Crosse
    change_contact_details(
        agent=agent,
        now=timezone.now(),
        channel=Channel.WEB,
        details=ContactDetails("(414) 555-0100", "email", "53202"),
    )
    assert_in_step()
    assert {round(s[3]) for s in actual()} == {43}  # Milwaukee


def test_signing_up_with_another_zip_keeps_the_index_in_step(plan_year, client) -> None:
    make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    invite_and_send(timezone.now())
    link = f"/accounts/register/{token_from(sent_mail()[0])}/"
    assert client.post(link, sign_up_form(zip_code="54601")).status_code == 302
    assert round(Agent.objects.get().latitude) == 44  # La Crosse, not Madison
    assert_in_step()


def test_availability_flips_follow(plan_year, settings) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"])
    set_availability(agent=agent, switch=AvailabilitySwitch.OFF, now=timezone.now())
    assert_in_step()
    set_availability(agent=agent, switch=AvailabilitySwitch.ON, now=timezone.now())
    assert_in_step()
    # An offer that expires switches the agent to red.
    make_referral(zip_code="53703")
    later = timezone.now() + timedelta(seconds=settings.OFFER_WINDOW_SECONDS + 1)
    run_due_jobs(now=later)
    assert Offer.objects.get().status == "expired"
    assert_in_step()
    assert {s[5] for s in actual()} == {False}


def test_eligibility_and_preference_changes_follow(plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI", "IA", "MN"], languages=["en", "es"])
    change_state_preferences(agent=agent, now=timezone.now(), channel=Channel.WEB, states=["IA"])
    assert_in_step()
    give_license(agent, "IA", active=False)
    refresh_routing_states(agents=[agent], plan_year=plan_year, today=timezone.now().date())
    assert_in_step()
    RegistrationTermination.objects.create(
        npn_key=agent.npn_key, status="T3", marketplaces="Both", plan_year=2026
    )
    refresh_routing_states(agents=[agent], plan_year=plan_year, today=timezone.now().date())
    assert actual() == expected() == set()


def test_a_full_rebuild_gives_the_same_index(plan_year) -> None:
    make_agent(zip_code="53703", licensed=["WI", "IA"], languages=["en", "es"])
    make_agent(zip_code="53202", licensed=["WI"])
    before = actual()
    with transaction.atomic():
        rebuild_all_slots()
    assert actual() == before == expected()


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_index_for_existing_data(plan_year) -> None:
    make_agent(zip_code="53703", licensed=["WI"], languages=["en", "es"])
    RoutingSlot.objects.all().delete()
    call_command("migrate", "eligibility", "0001", verbosity=0)
    call_command("migrate", "eligibility", verbosity=0)
    assert_in_step()
    assert len(actual()) == 2
