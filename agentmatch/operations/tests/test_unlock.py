"""A locked-out agent can log in again once support unlocks the account."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from agentmatch.operations.models import ActionKind, OperatorAction
from agentmatch.testing import AGENT_PASSWORD

pytestmark = pytest.mark.django_db


def _login(username: str, password: str) -> int:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code


def _lock_out(username: str, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(username, "Wrong-password-1!")


def test_repeated_wrong_passwords_lock_the_account_and_the_page_shows_it(
    operator_client, rosa, settings
) -> None:
    _lock_out("rosa.martinez", settings)
    assert _login("rosa.martinez", AGENT_PASSWORD) != 302  # right password, still refused
    response = operator_client.get(f"/ops/agents/{rosa.agent.npn}/")
    account = response.context["account"]
    assert account.locked and account.failures >= settings.AXES_FAILURE_LIMIT


def test_unlock_clears_the_lockout(operator_client, operator, rosa, settings) -> None:
    _lock_out("rosa.martinez", settings)
    response = operator_client.post(f"/ops/agents/{rosa.agent.npn}/unlock/", follow=True)
    assert "The account is unlocked." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="rosa.martinez").exists()
    assert not response.context["account"].locked
    assert _login("rosa.martinez", AGENT_PASSWORD) == 302
    action = OperatorAction.objects.get()
    assert (action.operator, action.agent, action.action) == (
        operator,
        rosa.agent,
        ActionKind.UNLOCK,
    )


def test_unlock_clears_failures_under_any_spelling_of_the_username(
    operator_client, rosa, settings
) -> None:
    _lock_out("ROSA.Martinez", settings)
    operator_client.post(f"/ops/agents/{rosa.agent.npn}/unlock/")
    assert not AccessAttempt.objects.exists()


def test_unlocking_an_unlocked_account_says_so(operator_client, rosa) -> None:
    response = operator_client.post(f"/ops/agents/{rosa.agent.npn}/unlock/", follow=True)
    assert "The account was not locked" in response.content.decode()
    assert OperatorAction.objects.get().detail.startswith("cleared 0")


def test_an_agent_without_account_cannot_be_unlocked(operator_client, plan_year) -> None:
    from agentmatch.testing import make_agent

    agent = make_agent(zip_code="53703", service_registered=False)
    response = operator_client.post(f"/ops/agents/{agent.npn}/unlock/", follow=True)
    assert "This agent has no account to unlock." in response.content.decode()
    assert not OperatorAction.objects.exists()


def test_failures_spread_over_addresses_do_not_show_as_locked(
    operator_client, rosa, settings
) -> None:
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/accounts/login/",
            {"username": "rosa.martinez", "password": "Wrong-password-1!"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
    account = operator_client.get(f"/ops/agents/{rosa.agent.npn}/").context["account"]
    assert account.failures == settings.AXES_FAILURE_LIMIT and not account.locked
    assert _login("rosa.martinez", AGENT_PASSWORD) == 302
