"""Both Terms of Use are needed before any referral reaches an agent."""

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.models import TermsAcceptance
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail, sign_up_form, token_from
from agentmatch.agents.models import Agent
from agentmatch.eligibility.models import RoutingState
from agentmatch.referrals.models import Offer, ReferralStatus
from agentmatch.testing import make_agent, make_agent_user, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_up(plan_year, client: Client) -> Agent:  # type: ignore[no-untyped-def]
    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    invite_and_send(timezone.now())
    client.post(f"/accounts/register/{token_from(sent_mail()[0])}/", sign_up_form())
    return agent


def log_in(client: Client) -> None:
    response = client.post(
        "/accounts/login/", {"username": "pat.agent", "password": "Tr7#kPz!wQ2m"}
    )
    assert response.status_code == 302, response.content


def test_signed_up_agents_get_no_referrals_before_the_cms_terms(signed_up: Agent) -> None:
    referral = make_referral(zip_code="53703")
    assert referral.status == ReferralStatus.WAITING
    assert not RoutingState.objects.filter(agent=signed_up).exists()


def test_every_page_leads_to_the_cms_terms_until_they_are_accepted(
    signed_up: Agent, client: Client
) -> None:
    log_in(client)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/terms/"
    page = client.get("/accounts/terms/").content.decode()
    assert "CMS Agents and Brokers Terms of Use" in page
    assert "English" in page and "WI" in page  # languages and state preferences shown


def test_declining_leaves_registration_incomplete(signed_up: Agent, client: Client) -> None:
    log_in(client)
    response = client.post("/accounts/terms/", {"decision": "decline"})
    assert "incomplete" in response.content.decode()
    signed_up.refresh_from_db()
    assert signed_up.service_registration_completed_at is None
    assert client.get("/accounts/profile/")["Location"] == "/accounts/terms/"


def test_accept_without_ticking_the_box_asks_again(signed_up: Agent, client: Client) -> None:
    log_in(client)
    response = client.post("/accounts/terms/", {"decision": "accept"})
    assert response.status_code == 200
    assert "Check the box" in response.content.decode()
    assert not TermsAcceptance.objects.filter(document="cms").exists()


def test_accepting_completes_registration_and_a_waiting_referral_arrives(
    signed_up: Agent, client: Client
) -> None:
    waiting = make_referral(zip_code="53703")
    log_in(client)
    response = client.post("/accounts/terms/", {"decision": "accept", "agree": "1"})
    assert response["Location"] == "/accounts/start/"
    signed_up.refresh_from_db()
    assert signed_up.service_registration_completed_at is not None
    acceptance = TermsAcceptance.objects.get(document="cms")
    assert acceptance.version == "2026-1" and acceptance.accepted_at is not None
    assert Offer.objects.get(referral=waiting).agent_id == signed_up.pk
    assert client.get("/accounts/profile/").status_code == 200


def test_the_service_terms_alone_are_not_enough(plan_year) -> None:
    user = make_agent_user(licensed=["WI"], accepted=("service",))
    assert user.agent.service_registration_completed_at is None
    assert make_referral(zip_code="53703").status == ReferralStatus.WAITING
