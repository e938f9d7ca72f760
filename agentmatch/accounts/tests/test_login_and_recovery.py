"""Login, remember-username, forgot username/password, lockout, signing out everywhere."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.models import PasswordResetLink
from agentmatch.accounts.tests.helpers import sent_mail, token_from
from agentmatch.testing import AGENT_PASSWORD, make_agent_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nw5$rQ8!vLp2"


@pytest.fixture
def pat(plan_year):  # type: ignore[no-untyped-def]
    return make_agent_user(username="pat.agent", licensed=["WI"])


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The page without its per-response CSRF tokens, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def log_in(client: Client, username: str = "pat.agent", password: str = AGENT_PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_an_agent_logs_in_with_username_and_password(pat, client: Client) -> None:
    response = log_in(client)
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


def test_a_wrong_password_is_refused_with_a_clear_message(pat, client: Client) -> None:
    response = log_in(client, password="Wrong#Pass1")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_remember_my_username_remembers_only_the_username(pat, client: Client) -> None:
    response = log_in(client, remember_username="on")
    cookie = response.cookies["remembered_username"]
    assert AGENT_PASSWORD not in cookie.value
    assert cookie["httponly"] and cookie["secure"]
    client.post("/accounts/logout/")
    page = client.get("/accounts/login/").content.decode()
    assert 'value="pat.agent"' in page
    assert "public or shared computers" in page


def test_unticking_remember_forgets_the_username(pat, client: Client) -> None:
    log_in(client, remember_username="on")
    client.post("/accounts/logout/")
    response = log_in(client)
    assert response.cookies["remembered_username"].value == ""
    client.post("/accounts/logout/")
    assert 'value="pat.agent"' not in client.get("/accounts/login/").content.decode()


def test_forgot_username_answers_the_same_whether_or_not_the_account_exists(
    pat, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/forgot-username/", {"email": pat.email.upper()})
        unknown = client.post("/accounts/forgot-username/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert page_text(known) == page_text(unknown)
    assert len(sent_mail()) == 1
    assert sent_mail()[0].to == [pat.email]
    assert "pat.agent" in str(sent_mail()[0].body)


def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(
    pat, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/forgot-password/", {"username_or_email": "pat.agent"})
        unknown = client.post("/accounts/forgot-password/", {"username_or_email": "nobody"})
    assert page_text(known) == page_text(unknown)
    assert len(sent_mail()) == 1
    assert PasswordResetLink.objects.count() == 1


def request_reset(client: Client, django_capture_on_commit_callbacks) -> str:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/forgot-password/", {"username_or_email": "pat.agent"})
    return f"/accounts/reset/{token_from(sent_mail()[-1])}/"


def test_a_reset_link_sets_a_new_password_once(
    pat, client: Client, django_capture_on_commit_callbacks
) -> None:
    url = request_reset(client, django_capture_on_commit_callbacks)
    response = client.post(url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert log_in(Client(), password=NEW_PASSWORD).status_code == 302
    assert log_in(Client(), password=AGENT_PASSWORD).status_code == 200
    again = client.post(url, {"password": "Other#Pass77", "password_again": "Other#Pass77"})
    assert again.status_code == 410


def test_a_reset_link_expires(pat, client: Client, django_capture_on_commit_callbacks) -> None:
    url = request_reset(client, django_capture_on_commit_callbacks)
    PasswordResetLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_reset_enforces_the_password_rules(
    pat, client: Client, django_capture_on_commit_callbacks
) -> None:
    url = request_reset(client, django_capture_on_commit_callbacks)
    response = client.post(url, {"password": "short", "password_again": "short"})
    assert response.status_code == 200
    assert "Contains 8 to 20 characters" in " ".join(response.context["form"].errors["password"])
    assert PasswordResetLink.objects.get().used_at is None


def test_a_reset_signs_out_every_other_session(
    pat, client: Client, django_capture_on_commit_callbacks
) -> None:
    elsewhere = Client()
    log_in(elsewhere)
    assert elsewhere.get("/accounts/profile/").status_code == 200
    url = request_reset(client, django_capture_on_commit_callbacks)
    client.post(url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert elsewhere.get("/accounts/profile/").status_code == 302


def test_repeated_wrong_passwords_lock_the_account(pat, client: Client) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(Client(), password="Wrong#Pass1").status_code == 200
    locked = log_in(Client(), password="Wrong#Pass1")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # Even the right password is refused while locked.
    assert log_in(client).status_code == 429


def test_signing_out_everywhere_ends_every_session(pat, client: Client) -> None:
    phone = Client()
    log_in(phone)
    log_in(client)
    client.post("/accounts/logout/everywhere/")
    assert phone.get("/accounts/profile/").status_code == 302
    assert client.get("/accounts/profile/").status_code == 302
    assert log_in(Client()).status_code == 302


def test_sessions_time_out_when_idle_and_cookies_are_locked_down(pat, client: Client) -> None:
    response = log_in(client)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["secure"] and session["samesite"] == "Lax"
    assert session["max-age"] == settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request pushes the idle deadline


def test_logout_needs_a_post(pat, client: Client) -> None:
    log_in(client)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/accounts/profile/").status_code == 200


def test_a_busy_session_still_ends_hours_after_its_login(pat, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    from agentmatch.accounts.middleware import LOGGED_IN_AT

    settings.SESSION_MAX_HOURS = 12
    log_in(client)
    assert client.get("/accounts/profile/").status_code == 200
    session = client.session
    session[LOGGED_IN_AT] -= 12 * 3600 + 1  # logged in just over 12 hours ago
    session.save()
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/profile/").status_code == 302  # signed out, not just sent away
    log_in(client)  # a new login starts a new lifetime
    assert client.get("/accounts/profile/").status_code == 200
