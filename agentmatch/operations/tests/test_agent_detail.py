"""The agent page answers support's questions: who, can they log in, why (no) referrals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agentmatch.accounts.invitations import resend_invitation, send_one_invitation
from agentmatch.accounts.models import Invitation
from agentmatch.referrals.models import Offer
from agentmatch.testing import give_license, make_agent, make_referral

pytestmark = pytest.mark.django_db


def test_an_untrained_agent_shows_the_training_reason(operator_client, plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], trained=False)
    page = operator_client.get(f"/ops/agents/{agent.npn}/").content.decode()
    assert "no training completion in the MLMS roster" in page
    report = operator_client.get(f"/ops/agents/{agent.npn}/").context["report"]
    [wi] = report.states
    assert (wi.state, wi.passed, wi.routed) == ("WI", False, False)
    assert [c.detail for c in wi.failures] == ["no training completion in the MLMS roster"]


def test_each_licensed_state_shows_pass_or_its_reasons(operator_client, plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI", "CA"], deselected=["IA"])
    give_license(agent, "IA", lines=["Property"])
    report = operator_client.get(f"/ops/agents/{agent.npn}/").context["report"]
    verdicts = {v.state: v for v in report.states}
    assert verdicts["WI"].passed and verdicts["WI"].routed
    assert not verdicts["CA"].passed
    assert "CA runs its own exchange in 2026" in [c.detail for c in verdicts["CA"].failures]
    assert [c.detail for c in verdicts["IA"].failures] == [
        "no active health line of authority (lines: Property)",
        "agent deselected IA",
    ]


def test_the_operator_can_ask_about_any_state(operator_client, plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"])
    page = operator_client.get(f"/ops/agents/{agent.npn}/", {"state": "tx"}).content.decode()
    assert "no TX license on record from NIPR" in page
    bad = operator_client.get(f"/ops/agents/{agent.npn}/", {"state": "ZZ"})
    assert bad.status_code == 200
    assert "is not a state code" in bad.content.decode()


def test_the_page_finds_the_agent_with_or_without_leading_zeros(operator_client, rosa) -> None:
    for npn in ("00412345", "412345"):
        response = operator_client.get(f"/ops/agents/{npn}/")
        assert response.context["agent"] == rosa.agent


def test_account_state_shows_username_and_no_lockout(operator_client, rosa) -> None:
    response = operator_client.get(f"/ops/agents/{rosa.agent.npn}/")
    account = response.context["account"]
    assert account.user == rosa and account.failures == 0 and not account.locked
    assert "rosa.martinez" in response.content.decode()


def test_an_agent_without_account_says_so(operator_client, plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    page = operator_client.get(f"/ops/agents/{agent.npn}/").content.decode()
    assert "This agent has no account yet." in page
    assert "Send a new invitation" in page


def test_invitation_history_is_shown_without_any_secret(operator_client, plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    now = timezone.now()
    resend_invitation(agent=agent, plan_year=plan_year, requested_by="helpdesk-1", now=now)
    assert send_one_invitation(now=now)
    invitation = Invitation.objects.get(agent=agent)
    assert invitation.token_hash
    response = operator_client.get(f"/ops/agents/{agent.npn}/")
    page = response.content.decode()
    assert list(response.context["invitations"]) == [invitation]
    assert "helpdesk-1" in page and agent.email in page
    assert invitation.token_hash not in page


def test_recent_offers_link_to_the_referral_timeline(operator_client, rosa) -> None:
    referral = make_referral(zip_code="53703")
    offer = Offer.objects.get(referral=referral)
    assert offer.agent == rosa.agent
    page = operator_client.get(f"/ops/agents/{rosa.agent.npn}/").content.decode()
    assert f"/ops/referrals/{referral.public_id}/" in page
    assert offer.reason.split("(")[0] in page


def test_availability_is_explained(operator_client, rosa) -> None:
    response = operator_client.get(f"/ops/agents/{rosa.agent.npn}/")
    assert response.context["availability"].is_available
    assert response.context["routing_states"] == ["WI"]


def test_a_missing_plan_year_is_reported_not_a_crash(operator_client, rosa, plan_year) -> None:
    type(plan_year).objects.update(is_current=False)
    response = operator_client.get(f"/ops/agents/{rosa.agent.npn}/")
    assert response.status_code == 200
    assert "No plan year is marked current" in response.content.decode()


def test_lockout_is_counted_within_the_cool_off_only(operator_client, rosa, settings) -> None:
    from axes.models import AccessAttempt

    old = AccessAttempt.objects.create(
        username="rosa.martinez",
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=9,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    AccessAttempt.objects.filter(pk=old.pk).update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    account = operator_client.get(f"/ops/agents/{rosa.agent.npn}/").context["account"]
    assert account.failures == 0 and not account.locked
