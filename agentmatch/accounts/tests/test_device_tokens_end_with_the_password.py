"""A device (bearer) token ends whenever the browser sessions do: a password reset, a
password change, "sign out everywhere", and an operator's deactivation (issue 9, finding 3)."""

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from agentmatch.accounts import actions
from agentmatch.accounts.models import AccountEvent, AccountEventKind
from agentmatch.accounts.tests.helpers import sent_mail, token_from
from agentmatch.testing import AGENT_PASSWORD, api_token_for, make_agent_user, make_operator

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nw5$rQ8!vLp2"


@pytest.fixture
def pat(plan_year):  # type: ignore[no-untyped-def]
    return make_agent_user(username="pat.agent", licensed=["WI"])


def offers_status(token: str) -> int:
    return Client().get("/api/v1/agent/offers", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_a_password_reset_ends_every_device_token(pat) -> None:
    token = api_token_for(pat.agent)
    assert offers_status(token) == 200
    Client().post("/accounts/forgot-password/", {"username_or_email": "pat.agent"})
    link = f"/accounts/reset/{token_from(sent_mail()[-1])}/"
    response = Client().post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert offers_status(token) == 401
    assert AccountEvent.objects.get(user=pat).kind == AccountEventKind.PASSWORD_RESET


def test_a_password_change_ends_every_device_token(pat) -> None:
    token = api_token_for(pat.agent)
    actions.change_password(
        request=RequestFactory().post("/accounts/password/"),
        user=pat,
        current_password=AGENT_PASSWORD,
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
        now=timezone.now(),
    )
    assert offers_status(token) == 401
    pat.refresh_from_db()
    assert pat.check_password(NEW_PASSWORD)


def test_a_password_change_needs_the_current_password(pat) -> None:
    token = api_token_for(pat.agent)
    with pytest.raises(actions.AccountError) as refused:
        actions.change_password(
            request=RequestFactory().post("/accounts/password/"),
            user=pat,
            current_password="Not-it#123",
            password=NEW_PASSWORD,
            password_again=NEW_PASSWORD,
            now=timezone.now(),
        )
    assert refused.value.field == "current_password"
    assert offers_status(token) == 200


def test_signing_out_everywhere_ends_every_device_token(pat) -> None:
    token = api_token_for(pat.agent)
    browser = Client()
    browser.force_login(pat)
    assert browser.post("/accounts/logout/everywhere/").status_code == 302
    assert offers_status(token) == 401
    event = AccountEvent.objects.get(user=pat)
    assert (event.kind, event.detail) == (
        AccountEventKind.SIGNED_OUT_EVERYWHERE,
        "1 device(s) signed out",
    )


def test_deactivating_an_agent_ends_every_device_token(pat) -> None:
    token = api_token_for(pat.agent)
    operator = Client()
    operator.force_login(make_operator())
    response = operator.post(
        f"/ops/agents/{pat.agent.npn}/deactivate/", {"reason": "Left the agency"}
    )
    assert response.status_code == 302
    assert offers_status(token) == 401


def test_the_change_password_page_signs_out_every_other_browser_and_device(pat) -> None:
    token = api_token_for(pat.agent)
    here, elsewhere = Client(), Client()
    here.force_login(pat)
    elsewhere.force_login(pat)
    response = here.post(
        "/accounts/password/",
        {
            "current_password": AGENT_PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/").status_code == 302
    assert offers_status(token) == 401


def test_the_change_password_page_names_a_wrong_current_password(pat) -> None:
    browser = Client()
    browser.force_login(pat)
    response = browser.post(
        "/accounts/password/",
        {
            "current_password": "Not-it#123",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["current_password"] == [
        "Your current password is not correct."
    ]


def test_guessing_the_current_password_locks_like_a_login(pat, settings) -> None:
    browser = Client()
    browser.force_login(pat)
    guess = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = browser.post("/accounts/password/", {**guess, "current_password": f"G#{n}x"})
        assert response.status_code == 200
    last = browser.post("/accounts/password/", {**guess, "current_password": "G#x"})
    assert last.status_code == 429
    right = browser.post("/accounts/password/", {**guess, "current_password": AGENT_PASSWORD})
    assert right.status_code == 429
    pat.refresh_from_db()
    assert pat.check_password(AGENT_PASSWORD)
