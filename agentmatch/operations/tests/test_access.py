"""Only active operators and administrators reach the support pages."""

import pytest
from django.test import Client

from agentmatch.operations.models import OperatorAction
from agentmatch.testing import make_agent, make_operator, make_referral

pytestmark = pytest.mark.django_db

ACTIONS = ["resend-invitation", "unlock", "deactivate", "reactivate"]


def _pages(npn: str, public_id: str) -> list[str]:
    return ["/ops/", "/ops/?q=rosa", f"/ops/agents/{npn}/", f"/ops/referrals/{public_id}/"]


def test_anonymous_visitors_are_sent_to_the_login_page(rosa) -> None:
    referral = make_referral()
    client = Client()
    for url in _pages(rosa.agent.npn, str(referral.public_id)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    for action in ACTIONS:
        response = client.post(f"/ops/agents/{rosa.agent.npn}/{action}/", {"reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not OperatorAction.objects.exists()


def test_an_agent_can_never_reach_a_support_page(agent_client, rosa) -> None:
    other = make_agent(zip_code="53704", licensed=["WI"], first_name="Other")
    referral = make_referral()
    for npn in (rosa.agent.npn, other.npn):
        for url in _pages(npn, str(referral.public_id)):
            response = agent_client.get(url)
            assert response.status_code == 403, url
            assert b"support staff only" in response.content
            assert other.email.encode() not in response.content


def test_an_agent_cannot_act_on_any_agent(agent_client, rosa) -> None:
    other = make_agent(zip_code="53704", licensed=["WI"])
    for npn in (rosa.agent.npn, other.npn):
        for action in ACTIONS:
            response = agent_client.post(f"/ops/agents/{npn}/{action}/", {"reason": "x"})
            assert response.status_code == 403
    assert not OperatorAction.objects.exists()
    rosa.refresh_from_db()
    assert rosa.is_active


@pytest.mark.parametrize("role", ["operator", "administrator"])
def test_operators_and_administrators_may_use_the_pages(plan_year, rosa, role) -> None:
    client = Client()
    client.force_login(make_operator(username=f"staff-{role}", role=role))
    for url in _pages(rosa.agent.npn, str(make_referral().public_id)):
        assert client.get(url).status_code == 200, url


def test_a_deactivated_operator_is_signed_out(plan_year, operator, operator_client) -> None:
    operator.is_active = False
    operator.save()
    response = operator_client.get("/ops/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_agents_and_referrals_are_not_found(operator_client) -> None:
    assert operator_client.get("/ops/agents/999999/").status_code == 404
    assert operator_client.get("/ops/agents/not-an-npn/").status_code == 404
    missing = "/ops/referrals/3f2b8a8e-1111-4d4d-9999-000000000000/"
    assert operator_client.get(missing).status_code == 404
    assert operator_client.post("/ops/agents/999999/unlock/").status_code == 404


def test_actions_only_accept_post(operator_client, rosa) -> None:
    assert operator_client.get(f"/ops/agents/{rosa.agent.npn}/unlock/").status_code == 405
