"""Passkey challenges live in a table of their own: a concurrent save of the session cannot
drop one, a handle works once, and what is stored cannot be replayed as a handle."""

import threading
from datetime import timedelta
from hashlib import sha256

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.jobs import tidy_account_records_job
from agentmatch.accounts.models import CeremonyPurpose, Passkey, PasskeyChallenge
from agentmatch.accounts.passkeys import PasskeyError, begin_authentication, take_challenge
from agentmatch.accounts.tests.soft_authenticator import SoftAuthenticator
from agentmatch.accounts.tests.test_passkeys import ORIGIN, post
from agentmatch.testing import make_agent_user


@pytest.fixture(autouse=True)
def _relying_party(settings):  # type: ignore[no-untyped-def]
    settings.WEBAUTHN_RP_ID = "127.0.0.1"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


@pytest.fixture
def user(plan_year):  # type: ignore[no-untyped-def]
    return make_agent_user(username="pat.passkey")


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def finish_registration(client: Client, begun: dict, phone: SoftAuthenticator | None = None):  # type: ignore[no-untyped-def,type-arg]
    credential = (phone or SoftAuthenticator(origin=ORIGIN)).create(begun["publicKey"])
    return post(
        client,
        "passkey_register_finish",
        {"ceremony": begun["ceremony"], "credential": credential, "name": "My phone"},
    )


def test_a_challenge_survives_a_concurrent_save_of_the_session(user):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    # Another request of the same browser (the profile page's own) loads the session ...
    other_request = SessionStore(session_key=client.session.session_key)
    other_request.get("anything")
    begun = post(client, "passkey_register_begin", {}).json()
    # ... and saves it after the begin, as SESSION_SAVE_EVERY_REQUEST makes every request do.
    other_request["touched"] = True
    other_request.save()

    response = finish_registration(client, begun)

    assert response.status_code == 201, response.content
    assert Passkey.objects.filter(user=user).count() == 1


def test_a_login_challenge_survives_a_concurrent_save_of_the_session(user):  # type: ignore[no-untyped-def]
    phone = SoftAuthenticator(origin=ORIGIN)
    assert finish_registration(logged_in(user), _begin(logged_in(user)), phone).status_code == 201
    browser = Client()
    session = browser.session
    session["django_language"] = "en"
    session.save()
    other_request = SessionStore(session_key=session.session_key)
    other_request.get("anything")
    begun = post(browser, "passkey_login_begin", {}).json()
    other_request["touched"] = True
    other_request.save()

    answer = {"ceremony": begun["ceremony"], "credential": phone.get(begun["publicKey"])}
    response = post(browser, "passkey_login_finish", answer)

    assert response.status_code == 200, response.content


def _begin(client: Client) -> dict:  # type: ignore[type-arg]
    return post(client, "passkey_register_begin", {}).json()


def test_a_handle_works_once_only(user):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    begun = _begin(client)
    assert finish_registration(client, begun).status_code == 201

    again = finish_registration(client, begun)  # another phone answering the same challenge

    assert again.status_code == 400
    assert again.json() == {
        "error": "no_challenge",
        "message": "This passkey request was already used or never started. Try again.",
    }
    assert Passkey.objects.count() == 1


def test_a_refused_answer_spends_the_handle_too(user):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    begun = _begin(client)
    forged = finish_registration(client, begun, SoftAuthenticator(origin="https://evil.example"))
    assert forged.status_code == 400
    assert finish_registration(client, begun).json()["error"] == "no_challenge"


@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_finishes_only_one_gets_the_challenge(plan_year):  # type: ignore[no-untyped-def]
    ceremony = begin_authentication(now=timezone.now())
    both_ready = threading.Barrier(2)
    outcomes: list[str] = []

    def finish() -> None:
        try:
            both_ready.wait()
            with transaction.atomic():
                take_challenge(
                    handle=ceremony.handle,
                    purpose=CeremonyPurpose.AUTHENTICATION,
                    user=None,
                    now=timezone.now(),
                )
            outcomes.append("taken")
        except PasskeyError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["no_challenge", "taken"]


def test_an_expired_handle_is_refused(user):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    begun = _begin(client)
    PasskeyChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = finish_registration(client, begun)

    assert response.status_code == 400
    assert response.json() == {
        "error": "challenge_expired",
        "message": "This passkey request expired. Try again.",
    }
    assert not Passkey.objects.exists()


def test_another_users_registration_handle_is_refused(user):  # type: ignore[no-untyped-def]
    owner = logged_in(user)
    begun = _begin(owner)
    someone_else = logged_in(make_agent_user(username="other.agent"))

    stolen = finish_registration(someone_else, begun)

    assert stolen.status_code == 400
    assert stolen.json()["error"] == "no_challenge"
    assert not Passkey.objects.exists()
    # The owner's ceremony is untouched by the attempt.
    assert finish_registration(owner, begun).status_code == 201


def test_a_login_handle_does_not_finish_a_registration(user):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    login = post(client, "passkey_login_begin", {}).json()
    begun = {"ceremony": login["ceremony"], "publicKey": _begin(client)["publicKey"]}
    assert finish_registration(client, begun).json()["error"] == "no_challenge"


@pytest.mark.parametrize("handle", [None, 42, "", "short", "x" * 500, "\ud800" * 30, ["a"]])
def test_a_malformed_handle_gets_400_not_500(user, handle):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    begun = {"ceremony": handle, "publicKey": _begin(client)["publicKey"]}
    response = finish_registration(client, begun)
    assert response.status_code == 400
    assert response.json()["error"] == "no_challenge"


def test_the_stored_row_holds_no_plain_handle(user):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    handle = _begin(client)["ceremony"]

    row = PasskeyChallenge.objects.get()

    assert len(handle) >= 43  # 256 random bits
    assert row.handle_hash == sha256(handle.encode()).hexdigest()
    assert handle.encode() not in bytes(row.challenge)
    assert (row.purpose, row.user) == (CeremonyPurpose.REGISTRATION, user)
    assert row.expires_at - row.created_at == timedelta(minutes=5)
    # Nor does the session hold any part of the ceremony.
    assert not any("passkey" in key for key, _value in client.session.items())


def test_stale_challenges_are_purged_by_a_begin_and_by_the_sweep(user):  # type: ignore[no-untyped-def]
    client = logged_in(user)
    _begin(client)
    _begin(client)  # a second click replaces the user's first ceremony
    assert PasskeyChallenge.objects.count() == 1
    post(Client(), "passkey_login_begin", {})
    PasskeyChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    post(Client(), "passkey_login_begin", {})
    assert PasskeyChallenge.objects.count() == 1  # only the new one

    tidy_account_records_job(timezone.now() + timedelta(minutes=6))
    assert not PasskeyChallenge.objects.exists()
