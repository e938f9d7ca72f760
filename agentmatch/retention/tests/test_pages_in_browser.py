"""An anonymised referral's pages in a real browser: the operator's timeline, the agent's
referral page and the consumer's status page, axe-clean, in English and Spanish."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from agentmatch.browser_testing import check_page, log_in
from agentmatch.consumers.access import SESSION_KEY
from agentmatch.retention.actions import anonymise_ended_referrals
from agentmatch.retention.tests.conftest import accepted, days_ago, followed_up
from agentmatch.testing import make_agent_user, make_operator

pytestmark = pytest.mark.django_db(transaction=True)

REMOVED = {"en": "Removed after 100 days", "es": "Eliminados después de 100 días"}


@pytest.fixture
def world(agent):  # type: ignore[no-untyped-def]
    referral = accepted(at=days_ago(100), agent=agent)
    followed_up(referral, agent=agent, at=days_ago(99), status="could_not_reach", reason="x")
    anonymise_ended_referrals(now=timezone.now())
    return {"referral": referral, "agent": make_agent_user(agent), "operator": make_operator()}


def granted_to_browser(page, live_server, public_id: str) -> None:  # type: ignore[no-untyped-def]
    """The consumer's browser, which opened the status link once."""
    client = Client()
    session = client.session
    session[SESSION_KEY] = [public_id]
    session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_of_an_anonymised_referral_says_its_details_were_removed(
    page, phone_page, live_server, world, language, settings
) -> None:
    settings.STATUS_TOKEN_DAYS = 365
    browser_page = page if language == "en" else phone_page
    public_id = str(world["referral"].public_id)

    log_in(browser_page, live_server, world["operator"])
    browser_page.goto(f"{live_server.url}/ops/referrals/{public_id}/")
    expect(browser_page.locator("#details-removed")).to_contain_text(REMOVED[language])
    check_page(browser_page, language=language)

    browser_page.context.clear_cookies()
    log_in(browser_page, live_server, world["agent"])
    browser_page.goto(f"{live_server.url}/workspace/referrals/{public_id}/")
    expect(browser_page.locator("#details-removed")).to_contain_text(REMOVED[language])
    check_page(browser_page, language=language)

    browser_page.context.clear_cookies()
    granted_to_browser(browser_page, live_server, public_id)
    browser_page.goto(f"{live_server.url}/status/{public_id}/")
    expect(browser_page.locator("#status-body")).to_contain_text(REMOVED[language])
    check_page(browser_page, language=language)
