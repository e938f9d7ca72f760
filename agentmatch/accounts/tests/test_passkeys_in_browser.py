"""Passkeys in a real browser: Chromium's virtual authenticator stands in for the phone's
fingerprint or face sensor (WebAuthn through the DevTools protocol)."""

import re

import pytest
from playwright.sync_api import expect

from agentmatch.accounts.models import Passkey
from agentmatch.browser_testing import check_page, log_in
from agentmatch.testing import make_agent, make_agent_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fingerprint_reader(page, live_server, settings):  # type: ignore[no-untyped-def]
    """A platform authenticator that verifies the user (like Touch ID or Android's)."""
    # Browsers accept "localhost" as a relying party, never an IP address.
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [live_server.url]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    yield cdp, authenticator["authenticatorId"]


def test_an_agent_adds_a_passkey_and_logs_in_with_it(
    page, live_server, fingerprint_reader, plan_year
):
    user = make_agent_user(make_agent(zip_code="53703", licensed=["WI"]))
    log_in(page, live_server, user)

    page.goto("/accounts/profile/")
    # No waiting for the page's own requests: they may save the session while the
    # ceremony runs, and the challenge is not kept there (test_passkey_challenges.py).
    page.get_by_label("Name for the new passkey").fill("My phone")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey “My phone” was added.")).to_be_visible()
    assert Passkey.objects.filter(user=user).count() == 1
    check_page(page)

    page.get_by_role("button", name="Log out").first.click()
    page.goto("/accounts/login/")
    check_page(page)
    page.get_by_role("button", name="Log in with a passkey (fingerprint or face)").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage Referrals")
    assert Passkey.objects.get(user=user).last_used_at is not None


def test_without_a_passkey_the_login_says_so_and_the_password_still_works(
    page, live_server, fingerprint_reader, plan_year
):
    make_agent_user(make_agent(zip_code="53703", licensed=["WI"]), username="pat.agent")
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in with a passkey (fingerprint or face)").click()
    status = page.locator("[data-passkey-status]")
    expect(status).not_to_be_empty(timeout=10_000)
    # The browser logs the refused assertion; that refusal is what this test expects.
    page.problems.clear()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
