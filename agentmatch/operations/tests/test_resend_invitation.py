"""Resending an invitation replaces the open link with a new one, and is audited."""

import pytest
from django.utils import timezone

from agentmatch.accounts.invitations import resend_invitation, send_one_invitation
from agentmatch.accounts.models import Invitation
from agentmatch.operations.models import ActionKind, OperatorAction
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(plan_year):  # type: ignore[no-untyped-def]
    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    now = timezone.now()
    resend_invitation(agent=agent, plan_year=plan_year, requested_by="system", now=now)
    assert send_one_invitation(now=now)
    return agent


def test_resend_creates_a_new_invitation_and_revokes_the_old(
    operator_client, operator, newcomer
) -> None:
    old = Invitation.objects.get(agent=newcomer)
    response = operator_client.post(f"/ops/agents/{newcomer.npn}/resend-invitation/", follow=True)
    assert response.status_code == 200
    assert "A new invitation will be emailed" in response.content.decode()
    old.refresh_from_db()
    assert old.revoked_at is not None
    new = Invitation.objects.exclude(pk=old.pk).get(agent=newcomer)
    assert new.revoked_at is None and new.sent_at is None
    assert (new.reason, new.requested_by) == ("resent", operator.username)
    action = OperatorAction.objects.get()
    assert (action.operator, action.agent, action.action) == (
        operator,
        newcomer,
        ActionKind.RESEND_INVITATION,
    )


def test_an_agent_with_an_account_gets_a_message_not_an_invitation(operator_client, rosa) -> None:
    response = operator_client.post(f"/ops/agents/{rosa.agent.npn}/resend-invitation/", follow=True)
    assert response.status_code == 200
    assert "This agent already has an account." in response.content.decode()
    assert not Invitation.objects.filter(agent=rosa.agent).exists()
    assert not OperatorAction.objects.exists()


def test_an_agent_without_email_cannot_be_invited(operator_client, plan_year) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    type(agent).objects.filter(pk=agent.pk).update(email="")
    response = operator_client.post(f"/ops/agents/{agent.npn}/resend-invitation/", follow=True)
    assert "no email address on file" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not OperatorAction.objects.exists()
