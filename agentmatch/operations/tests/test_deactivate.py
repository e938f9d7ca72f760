"""A deactivated agent cannot log in and receives no referral until reactivated."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.agents.models import AvailabilitySwitch
from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.eligibility.models import AgentDeactivation, RoutingState
from agentmatch.eligibility.services import refresh_all_routing_states
from agentmatch.operations.actions import deactivate_agent
from agentmatch.operations.models import ActionKind, OperatorAction
from agentmatch.operations.services import OperationError
from agentmatch.referrals.models import EventKind, Offer, OfferStatus, ReferralStatus
from agentmatch.testing import AGENT_PASSWORD, api_token_for, make_referral

pytestmark = pytest.mark.django_db


def _can_log_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def _deactivate(client, agent, reason: str = "left the agency"):  # type: ignore[no-untyped-def]
    return client.post(f"/ops/agents/{agent.npn}/deactivate/", {"reason": reason}, follow=True)


def test_a_deactivated_agent_receives_no_referral(operator_client, operator, rosa) -> None:
    _deactivate(operator_client, rosa.agent)
    referral = make_referral(zip_code="53703")
    assert not Offer.objects.filter(referral=referral).exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING
    action = OperatorAction.objects.get()
    assert (action.operator, action.agent, action.action) == (
        operator,
        rosa.agent,
        ActionKind.DEACTIVATE,
    )
    assert "left the agency" in action.detail


def test_deactivation_survives_routing_refreshes_and_the_agent_switching_on(
    operator_client, rosa, plan_year
) -> None:
    _deactivate(operator_client, rosa.agent)
    now = timezone.now()
    refresh_all_routing_states(plan_year=plan_year, today=now.date())
    set_availability(agent=rosa.agent, switch=AvailabilitySwitch.ON, now=now)
    assert not RoutingState.objects.filter(agent=rosa.agent).exists()
    referral = make_referral(zip_code="53703")
    assert not Offer.objects.filter(referral=referral).exists()
    page = operator_client.get(f"/ops/agents/{rosa.agent.npn}/").content.decode()
    assert "deactivated by support" in page


def test_the_next_agent_gets_the_referral_instead(operator_client, rosa, plan_year) -> None:
    from agentmatch.testing import make_agent

    farther = make_agent(zip_code="53590", licensed=["WI"])  # Sun Prairie, a few miles out
    _deactivate(operator_client, rosa.agent)
    referral = make_referral(zip_code="53703")
    assert Offer.objects.get(referral=referral).agent == farther


def test_the_account_is_disabled_and_signed_out_everywhere(operator_client, rosa) -> None:
    browser = Client()
    browser.force_login(rosa)
    assert browser.get("/accounts/profile/").status_code == 200
    token = api_token_for(rosa.agent)
    _deactivate(operator_client, rosa.agent)
    rosa.refresh_from_db()
    assert not rosa.is_active
    assert browser.get("/accounts/profile/").status_code == 302  # session no longer valid
    assert not _can_log_in("rosa.martinez", AGENT_PASSWORD)
    response = Client().get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_a_pending_offer_passes_to_the_next_agent(operator_client, rosa, plan_year) -> None:
    from agentmatch.testing import make_agent

    referral = make_referral(zip_code="53703")
    first = Offer.objects.get(referral=referral)
    assert first.agent == rosa.agent
    farther = make_agent(zip_code="53590", licensed=["WI"])
    _deactivate(operator_client, rosa.agent)
    first.refresh_from_db()
    assert first.status == OfferStatus.REJECTED
    assert Offer.objects.get(referral=referral, status=OfferStatus.PENDING).agent == farther
    event = referral.events.get(kind=EventKind.REJECTED)
    assert event.detail == "withdrawn by support: agent deactivated"
    assert event.code == "withdrawn_agent_deactivated"  # so the timeline can say it in Spanish


def test_a_reason_is_required(operator_client, rosa) -> None:
    response = _deactivate(operator_client, rosa.agent, reason="   ")
    assert "Give a reason" in response.content.decode()
    assert not AgentDeactivation.objects.exists()
    assert not OperatorAction.objects.exists()
    assert RoutingState.objects.filter(agent=rosa.agent).exists()


def test_deactivating_twice_is_refused(operator_client, rosa) -> None:
    _deactivate(operator_client, rosa.agent)
    response = _deactivate(operator_client, rosa.agent)
    assert "already deactivated" in response.content.decode()
    assert OperatorAction.objects.count() == 1


def test_an_agent_without_account_can_be_deactivated(operator_client, plan_year) -> None:
    from agentmatch.testing import make_agent

    agent = make_agent(zip_code="53703", licensed=["WI"])
    _deactivate(operator_client, agent)
    assert not Offer.objects.filter(referral=make_referral(zip_code="53703")).exists()


def test_reactivation_restores_login_availability_and_routing(
    operator_client, operator, rosa
) -> None:
    _deactivate(operator_client, rosa.agent)
    response = operator_client.post(f"/ops/agents/{rosa.agent.npn}/reactivate/", follow=True)
    assert "The agent is active again." in response.content.decode()
    rosa.refresh_from_db()
    rosa.agent.refresh_from_db()
    assert rosa.is_active
    assert rosa.agent.availability_switch == AvailabilitySwitch.ON
    assert list(RoutingState.objects.filter(agent=rosa.agent).values_list("state", flat=True)) == [
        "WI"
    ]
    assert _can_log_in("rosa.martinez", AGENT_PASSWORD)
    referral = make_referral(zip_code="53703", now=timezone.now() + timedelta(seconds=1))
    assert Offer.objects.get(referral=referral).agent == rosa.agent
    assert [a.action for a in OperatorAction.objects.order_by("at", "pk")] == [
        ActionKind.DEACTIVATE,
        ActionKind.REACTIVATE,
    ]


def test_reactivating_an_active_agent_is_refused(operator_client, rosa) -> None:
    response = operator_client.post(f"/ops/agents/{rosa.agent.npn}/reactivate/", follow=True)
    assert "This agent is not deactivated." in response.content.decode()
    assert not OperatorAction.objects.exists()


def test_a_deactivated_agent_without_account_is_not_invited(operator_client, plan_year) -> None:
    from agentmatch.accounts.invitations import invite_newly_eligible_agents
    from agentmatch.testing import make_agent

    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    _deactivate(operator_client, agent)
    assert invite_newly_eligible_agents(plan_year=plan_year, now=timezone.now()) == 0
    response = operator_client.post(f"/ops/agents/{agent.npn}/resend-invitation/", follow=True)
    assert "reactivate them before inviting" in response.content.decode()


def test_a_nul_character_in_the_reason_is_refused(operator_client, operator, rosa) -> None:
    response = _deactivate(operator_client, rosa.agent, reason="left\x00")
    assert response.status_code == 400
    assert "“reason” contains a control character" in response.content.decode()
    with pytest.raises(OperationError, match="control character"):
        deactivate_agent(operator=operator, agent=rosa.agent, reason="left\x00", now=timezone.now())
    assert not AgentDeactivation.objects.exists()


def test_a_referral_waiting_for_a_deactivated_agent_is_offered_on_reactivation(
    operator_client, rosa
) -> None:
    _deactivate(operator_client, rosa.agent)
    referral = make_referral(zip_code="53703")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING
    operator_client.post(f"/ops/agents/{rosa.agent.npn}/reactivate/")
    assert Offer.objects.get(referral=referral).agent == rosa.agent


def test_an_agent_paused_after_a_missed_offer_comes_back_to_their_own_mode(
    operator_client, rosa
) -> None:
    from agentmatch.eligibility.agent_facts import pause_for_missed_offer

    set_availability(agent=rosa.agent, switch=AvailabilitySwitch.SCHEDULE, now=timezone.now())
    assert pause_for_missed_offer(agent=rosa.agent, now=timezone.now())
    _deactivate(operator_client, rosa.agent)
    operator_client.post(f"/ops/agents/{rosa.agent.npn}/reactivate/", follow=True)
    rosa.agent.refresh_from_db()
    assert rosa.agent.availability_switch == AvailabilitySwitch.SCHEDULE
    assert rosa.agent.paused_after_missed_offer_at is None
