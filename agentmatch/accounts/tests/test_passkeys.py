"""Passkeys: register one, log in with it, and every way a forged or stale answer is refused."""

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse

from agentmatch.accounts.models import Passkey
from agentmatch.accounts.tests.soft_authenticator import (
    FLAG_AT,
    FLAG_UP,
    SoftAuthenticator,
    b64url,
)
from agentmatch.testing import make_agent_user

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _relying_party(settings):  # type: ignore[no-untyped-def]
    settings.WEBAUTHN_RP_ID = "127.0.0.1"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


def post(client: Client, name: str, body: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        reverse(f"accounts:{name}", kwargs=kwargs or None),
        data=data,
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def register(client: Client, authenticator: SoftAuthenticator, *, name: str = "My phone", **how):  # type: ignore[no-untyped-def]
    begun = post(client, "passkey_register_begin", {}).json()
    credential = authenticator.create(begun["publicKey"], **how)
    return post(
        client,
        "passkey_register_finish",
        {"ceremony": begun["ceremony"], "credential": credential, "name": name},
    )


def log_in(client: Client, authenticator: SoftAuthenticator, *, next: str = "", **how):  # type: ignore[no-untyped-def]
    begun = post(client, "passkey_login_begin", {}).json()
    credential = authenticator.get(begun["publicKey"], **how)
    return post(
        client,
        "passkey_login_finish",
        {"ceremony": begun["ceremony"], "credential": credential, "next": next},
    )


@pytest.fixture
def user(plan_year):  # type: ignore[no-untyped-def]
    return make_agent_user(username="pat.passkey")


@pytest.fixture
def authenticator(user):  # type: ignore[no-untyped-def]
    """A phone that has a passkey registered on `user`'s account."""
    phone = SoftAuthenticator(origin=ORIGIN)
    client = Client()
    client.force_login(user)
    assert register(client, phone).status_code == 201
    return phone


def test_a_registered_passkey_logs_its_owner_in(user, authenticator):  # type: ignore[no-untyped-def]
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "My phone"
    assert passkey.transports == "hybrid,internal"

    browser = Client()
    response = log_in(browser, authenticator)

    assert response.status_code == 200, response.content
    assert response.json() == {"redirect": reverse("accounts:home")}
    profile = browser.get(reverse("accounts:profile"))
    assert profile.status_code == 200
    assert profile.wsgi_request.user == user
    passkey.refresh_from_db()
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None


def test_login_goes_to_the_page_asked_for_but_never_off_site(user, authenticator):  # type: ignore[no-untyped-def]
    wanted = reverse("accounts:profile")
    assert log_in(Client(), authenticator, next=wanted).json() == {"redirect": wanted}
    off_site = log_in(Client(), authenticator, next="https://evil.example/")
    assert off_site.json() == {"redirect": reverse("accounts:home")}


def test_the_profile_page_lists_passkeys_with_a_delete_button(user, authenticator):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    page = client.get(reverse("accounts:profile")).content.decode()
    passkey = Passkey.objects.get(user=user)
    assert "My phone" in page
    assert reverse("accounts:passkey_delete", args=[passkey.pk]) in page
    assert "accounts/passkeys.js" in page


def test_the_login_page_offers_a_passkey_button(db):  # type: ignore[no-untyped-def]
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Log in with a passkey (fingerprint or face)" in page
    assert reverse("accounts:passkey_login_begin") in page


def test_registration_from_another_origin_is_refused(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = register(client, SoftAuthenticator(origin="https://evil.example"))
    assert response.status_code == 400
    assert "origin" in response.json()["message"]
    assert not Passkey.objects.exists()


def test_registration_for_another_site_is_refused(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = register(client, SoftAuthenticator(origin=ORIGIN), rp_id="evil.example")
    assert response.status_code == 400
    assert "RP ID" in response.json()["message"]


def test_registration_without_fingerprint_or_face_is_refused(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = register(client, SoftAuthenticator(origin=ORIGIN), flags=FLAG_UP | FLAG_AT)
    assert response.status_code == 400
    assert "verif" in response.json()["message"]
    assert not Passkey.objects.exists()


def test_the_same_passkey_cannot_be_registered_twice(user, authenticator):  # type: ignore[no-untyped-def]
    begin = Client()
    begin.force_login(user)
    options = post(begin, "passkey_register_begin", {}).json()["publicKey"]
    # The browser is told which passkeys exist, so the phone would say so itself.
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(authenticator.credential_id)]
    response = register(begin, authenticator)
    assert response.status_code == 409
    assert response.json()["error"] == "duplicate"
    assert Passkey.objects.count() == 1


def test_registration_needs_a_logged_in_user(db):  # type: ignore[no-untyped-def]
    response = post(Client(), "passkey_register_begin", {})
    assert response.status_code == 401
    assert response.json()["error"] == "login_required"


def test_an_answer_to_another_challenge_is_refused(user, authenticator):  # type: ignore[no-untyped-def]
    browser = Client()
    stale = post(browser, "passkey_login_begin", {}).json()
    current = post(browser, "passkey_login_begin", {}).json()  # a second click
    credential = authenticator.get(stale["publicKey"])
    response = post(
        browser, "passkey_login_finish", {"ceremony": current["ceremony"], "credential": credential}
    )
    assert response.status_code == 400
    assert "challenge" in response.json()["message"]
    assert "_auth_user_id" not in browser.session


def test_a_login_answer_cannot_be_replayed(user, authenticator):  # type: ignore[no-untyped-def]
    attacker = Client()
    begun = post(attacker, "passkey_login_begin", {}).json()
    answer = {"ceremony": begun["ceremony"], "credential": authenticator.get(begun["publicKey"])}
    assert post(attacker, "passkey_login_finish", answer).status_code == 200

    again = post(attacker, "passkey_login_finish", answer)
    assert again.status_code == 400
    assert again.json()["error"] == "no_challenge"


def test_a_signature_by_another_key_is_refused(user, authenticator):  # type: ignore[no-untyped-def]
    browser = Client()
    response = log_in(browser, authenticator, signer=ec.generate_private_key(ec.SECP256R1()))
    assert response.status_code == 400
    assert "signature" in response.json()["message"]
    assert "_auth_user_id" not in browser.session
    assert Passkey.objects.get().last_used_at is None


def test_login_from_another_origin_is_refused(user, authenticator):  # type: ignore[no-untyped-def]
    response = log_in(Client(), authenticator, origin="https://evil.example")
    assert response.status_code == 400
    assert "origin" in response.json()["message"]


def test_a_sign_count_going_backwards_is_refused(user, authenticator):  # type: ignore[no-untyped-def]
    assert log_in(Client(), authenticator, sign_count=5).status_code == 200

    for count in (3, 5):  # backwards, then standing still: both look like a copied key
        browser = Client()
        response = log_in(browser, authenticator, sign_count=count)
        assert response.status_code == 400
        assert response.json()["error"] == "sign_count"
        assert "_auth_user_id" not in browser.session
    assert Passkey.objects.get().sign_count == 5


def test_passkeys_that_always_report_zero_keep_working(user, authenticator):  # type: ignore[no-untyped-def]
    # Synced passkeys (iCloud Keychain, Google Password Manager) never count.
    assert log_in(Client(), authenticator, sign_count=0).status_code == 200
    assert log_in(Client(), authenticator, sign_count=0).status_code == 200


def test_a_deactivated_user_cannot_log_in_with_a_passkey(user, authenticator):  # type: ignore[no-untyped-def]
    user.is_active = False
    user.save(update_fields=["is_active"])
    browser = Client()
    response = log_in(browser, authenticator)
    assert response.status_code == 400
    assert "deactivated" in response.json()["message"]
    assert "_auth_user_id" not in browser.session


def test_an_unknown_passkey_is_refused(db):  # type: ignore[no-untyped-def]
    response = log_in(Client(), SoftAuthenticator(origin=ORIGIN))
    assert response.status_code == 400
    assert response.json()["error"] == "unknown_passkey"


def test_another_user_cannot_delete_my_passkey(user, authenticator):  # type: ignore[no-untyped-def]
    passkey = Passkey.objects.get(user=user)
    someone_else = Client()
    someone_else.force_login(make_agent_user(username="other.agent"))
    response = someone_else.post(reverse("accounts:passkey_delete", args=[passkey.pk]))
    assert response.status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()

    owner = Client()
    owner.force_login(user)
    response = owner.post(reverse("accounts:passkey_delete", args=[passkey.pk]))
    assert response.status_code == 302
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    assert log_in(Client(), authenticator).json()["error"] == "unknown_passkey"


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[1, 2]",
        {"credential": "a string"},
        {"credential": {"id": "@@", "rawId": "a", "type": "public-key"}},
        {"credential": {"id": "AAAA", "rawId": "AAAA", "response": {"clientDataJSON": 5}}},
    ],
)
def test_bad_json_gets_400_with_a_clear_message(user, authenticator, body):  # type: ignore[no-untyped-def]
    browser = Client()
    handle = post(browser, "passkey_login_begin", {}).json()["ceremony"]
    if isinstance(body, dict):
        body = {"ceremony": handle, **body}
    response = post(browser, "passkey_login_finish", body)
    assert response.status_code == 400
    assert response.json()["message"]


def test_forged_registration_data_gets_400_not_500(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    begun = post(client, "passkey_register_begin", {}).json()
    credential = SoftAuthenticator(origin=ORIGIN).create(begun["publicKey"])
    credential["response"]["attestationObject"] = "bm90IGNib3I"  # "not cbor"
    response = post(
        client, "passkey_register_finish", {"ceremony": begun["ceremony"], "credential": credential}
    )
    assert response.status_code == 400
    assert "could not be verified" in response.json()["message"]


def test_passkey_endpoints_need_the_csrf_token(db):  # type: ignore[no-untyped-def]
    browser = Client(enforce_csrf_checks=True)
    assert post(browser, "passkey_login_begin", {}).status_code == 403


def test_login_without_fingerprint_or_face_is_refused(user, authenticator):  # type: ignore[no-untyped-def]
    response = log_in(Client(), authenticator, flags=FLAG_UP)
    assert response.status_code == 400
    assert "verif" in response.json()["message"]


def test_a_passkey_naming_another_account_is_refused(user, authenticator):  # type: ignore[no-untyped-def]
    authenticator.user_handle = b64url(b"someone else").encode()
    response = log_in(Client(), authenticator)
    assert response.status_code == 400
    assert "different account" in response.json()["message"]


def test_login_options_can_name_the_account_passkeys(user, authenticator):  # type: ignore[no-untyped-def]
    named = post(Client(), "passkey_login_begin", {"username": "pat.passkey"}).json()["publicKey"]
    assert [c["id"] for c in named["allowCredentials"]] == [b64url(authenticator.credential_id)]
    assert named["userVerification"] == "required"
    anyone = post(Client(), "passkey_login_begin", {}).json()["publicKey"]
    assert anyone["allowCredentials"] == []


def test_a_nul_character_in_a_passkey_name_gets_400_naming_it(user, authenticator):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    before = user.passkeys.count()
    response = register(client, authenticator, name="My phone\x00")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_name"
    assert user.passkeys.count() == before


def test_a_nul_character_in_the_passkey_login_username_gets_400(db):  # type: ignore[no-untyped-def]
    response = post(Client(), "passkey_login_begin", {"username": "pat\x00"})
    assert response.status_code == 400
    assert response.json()["error"] == "bad_username"
