"""Lockout by username and client address together, plus a higher per-address limit, fed
with the app's client address (issue 9, finding 4)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from agentmatch.testing import AGENT_PASSWORD, make_agent_user, make_operator

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
PROXY = "10.0.0.1"


@pytest.fixture
def operator(plan_year):  # type: ignore[no-untyped-def]
    return make_operator(username="olivia.operator")


def log_in(username: str, password: str = "Wrong#Pass1", **meta: str) -> int:
    meta.setdefault("REMOTE_ADDR", ATTACKER)
    response = Client().post(
        "/accounts/login/", {"username": username, "password": password}, **meta
    )
    return response.status_code


def token_login(username: str, password: str = "Wrong#Pass1", **meta: str):  # type: ignore[no-untyped-def]
    meta.setdefault("REMOTE_ADDR", ATTACKER)
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        **meta,
    )


def test_wrong_passwords_for_made_up_usernames_do_not_lock_out_the_operator(
    operator, settings
) -> None:
    for n in range(settings.AXES_FAILURE_LIMIT):
        assert log_in(f"made.up.{n}") == 200
    assert log_in("olivia.operator", AGENT_PASSWORD) == 302


def test_wrong_passwords_from_elsewhere_do_not_lock_out_the_operator(operator, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("olivia.operator")
    assert log_in("olivia.operator", AGENT_PASSWORD) == 429  # from the guessing address
    assert log_in("olivia.operator", AGENT_PASSWORD, REMOTE_ADDR="192.0.2.44") == 302


def test_behind_a_proxy_the_lockout_follows_the_forwarded_client(operator, settings) -> None:
    settings.TRUSTED_PROXY_HOPS = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ATTACKER}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("olivia.operator", **attacker)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert log_in("olivia.operator", AGENT_PASSWORD, **attacker) == 429
    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.44"}
    assert log_in("olivia.operator", AGENT_PASSWORD, **colleague) == 302


def test_a_forged_forwarded_address_is_not_stored_as_one(operator, settings) -> None:
    settings.TRUSTED_PROXY_HOPS = 1
    assert log_in("olivia.operator", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not an ip") == 200
    assert AccessAttempt.objects.get().ip_address == PROXY


def test_many_wrong_passwords_from_one_address_lock_that_address(operator, settings) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        log_in(f"sprayed.{n}")
    response = Client().post(
        "/accounts/login/",
        {"username": "olivia.operator", "password": AGENT_PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.LOGIN_ADDRESS_WINDOW_SECONDS
    assert log_in("olivia.operator", AGENT_PASSWORD, REMOTE_ADDR="192.0.2.44") == 302


def test_the_address_limit_holds_for_the_token_login_too(operator, settings) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        token_login(f"sprayed.{n}")
    response = token_login(f"sprayed.{settings.LOGIN_FAILURES_PER_ADDRESS}")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_a_locked_token_login_answers_json_with_retry_after(plan_year, settings) -> None:
    make_agent_user(username="pat.agent")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token_login("pat.agent").status_code == 401
    assert token_login("pat.agent").status_code == 429
    response = token_login("pat.agent", AGENT_PASSWORD)  # the right one, refused while locked
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_the_locked_login_page_says_when_to_try_again(plan_year, settings) -> None:
    make_agent_user(username="pat.agent")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("pat.agent")
    response = Client().post(
        "/accounts/login/", {"username": "pat.agent", "password": AGENT_PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )  # fmt: skip
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
