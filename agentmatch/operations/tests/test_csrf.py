"""Support actions change accounts, so a forged cross-site POST must do nothing."""

import pytest
from django.test import Client

from agentmatch.eligibility.models import AgentDeactivation
from agentmatch.operations.models import OperatorAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client(operator):  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    return client


@pytest.mark.parametrize(
    "action", ["resend-invitation", "unlock", "deactivate", "reactivate", "clear-undeliverable"]
)
def test_an_action_without_the_csrf_token_is_refused(strict_client, rosa, action) -> None:
    response = strict_client.post(f"/ops/agents/{rosa.agent.npn}/{action}/", {"reason": "x"})
    assert response.status_code == 403
    assert not OperatorAction.objects.exists()
    rosa.refresh_from_db()
    assert rosa.is_active


def test_an_action_with_the_token_from_the_page_works(strict_client, rosa) -> None:
    page = strict_client.get(f"/ops/agents/{rosa.agent.npn}/")
    token = page.context["csrf_token"]
    response = strict_client.post(
        f"/ops/agents/{rosa.agent.npn}/deactivate/",
        {"reason": "asked to leave", "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    assert AgentDeactivation.objects.filter(agent=rosa.agent).exists()
    assert OperatorAction.objects.count() == 1
