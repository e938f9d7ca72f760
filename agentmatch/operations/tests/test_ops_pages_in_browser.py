"""Support pages in a real browser: find an agent, act, follow a referral; both languages."""

import re

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from agentmatch.browser_testing import check_page, log_in
from agentmatch.referrals.models import Offer
from agentmatch.referrals.services import reject_offer
from agentmatch.testing import make_agent, make_agent_user, make_operator, make_referral

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(plan_year):  # type: ignore[no-untyped-def]
    """Rosa (with an account) gets a referral first and declines it; Sam gets it next."""
    rosa = make_agent(
        zip_code="53703", licensed=["WI"], first_name="Rosa", last_name="Martinez", npn="412345"
    )
    make_agent_user(rosa, username="rosa.martinez")
    sam = make_agent(zip_code="53590", licensed=["WI"], first_name="Sam", last_name="Next")
    referral = make_referral(zip_code="53703")
    first = Offer.objects.get(referral=referral)
    with transaction.atomic():
        reject_offer(offer_id=first.pk, agent=rosa, now=timezone.now())
    return {"rosa": rosa, "sam": sam, "referral": referral, "operator": make_operator()}


@pytest.mark.parametrize("language", ["en", "es"])
def test_operator_finds_an_agent_acts_and_follows_a_referral(
    page, phone_page, live_server, world, language
):
    browser_page = page if language == "en" else phone_page
    log_in(browser_page, live_server, world["operator"])
    rosa, referral = world["rosa"], world["referral"]

    browser_page.goto("/ops/")
    check_page(browser_page, language=language)
    browser_page.locator("#q").fill("martinez")
    browser_page.keyboard.press("Enter")
    browser_page.wait_for_load_state()
    results = browser_page.locator("table.usa-table")
    expect(results).to_contain_text("Rosa Martinez")
    check_page(browser_page, language=language)

    browser_page.get_by_role("link", name=rosa.npn).click()
    expect(browser_page).to_have_url(re.compile(rf"/ops/agents/{rosa.npn}/$"))
    expect(browser_page.locator("h1")).to_contain_text("Rosa Martinez")
    # Eligibility per state, with a coloured verdict tag.
    expect(browser_page.locator("#by-state-h + div table")).to_contain_text("WI")
    check_page(browser_page, language=language)

    # Explain a state the agent is not licensed in.
    browser_page.locator("#state").select_option("TX")
    browser_page.locator("#state ~ button, #state + button").first.click()
    browser_page.wait_for_load_state()
    expect(browser_page.locator("table.usa-table").first).to_contain_text("TX")
    check_page(browser_page, language=language)

    # Unlock (nothing to clear) answers with a status message.
    browser_page.locator("form[action$='/unlock/'] button").click()
    browser_page.wait_for_load_state()
    expect(browser_page.locator(".usa-alert--success")).to_be_visible()
    check_page(browser_page, language=language)

    # Deactivate with a reason, then reactivate.
    browser_page.locator("#reason").fill("left the agency")
    browser_page.locator("form[action$='/deactivate/'] button").click()
    browser_page.wait_for_load_state()
    expect(browser_page.locator(".usa-alert--error").first).to_contain_text("left the agency")
    check_page(browser_page, language=language)
    browser_page.locator("form[action$='/reactivate/'] button").click()
    browser_page.wait_for_load_state()
    expect(browser_page.locator(".usa-alert--success")).to_be_visible()

    # The referral's timeline: every offer with who, distance, rank, why, when, outcome.
    browser_page.get_by_role("link", name=referral.reference).first.click()
    expect(browser_page).to_have_url(re.compile(rf"/ops/referrals/{referral.public_id}/$"))
    offers = browser_page.locator(".ops-offers > li")
    expect(offers).to_have_count(2)
    expect(offers.nth(0)).to_contain_text("Rosa Martinez")
    expect(offers.nth(1)).to_contain_text("Sam Next")
    # Distance, rank and why, per offer, with the page's decimal separator.
    expect(offers.nth(0)).to_contain_text("0.0" if language == "en" else "0,0")
    why = "Closest qualified agent" if language == "en" else "Agente calificado más cercano"
    expect(offers.nth(0)).to_contain_text(why)
    expect(browser_page.locator(".usa-process-list__item")).to_have_count(4)
    check_page(browser_page, language=language)

    # The referral number opens the same timeline from the search page.
    browser_page.goto("/ops/")
    browser_page.locator("#ref").fill(referral.reference.lower())
    browser_page.locator("#ref ~ button").click()
    expect(browser_page).to_have_url(re.compile(rf"/ops/referrals/{referral.public_id}/$"))


def test_the_invitation_can_be_resent_from_the_page(page, live_server, world):
    invited = make_agent(zip_code="53703", licensed=["WI"], service_registered=False)
    log_in(page, live_server, world["operator"])
    page.goto(f"/ops/agents/{invited.npn}/")
    check_page(page)
    page.get_by_role("button", name="Send a new invitation").click()
    page.wait_for_load_state()
    expect(page.locator(".usa-alert--success")).to_contain_text(invited.email)
    expect(page.locator("#invitations-h + div table")).to_contain_text("Resent on request")
    check_page(page)


def test_agents_get_the_not_allowed_page(page, live_server, world):
    log_in(page, live_server, make_agent_user(make_agent(zip_code="53703", licensed=["WI"])))
    page.goto("/ops/")
    page.problems[:] = [p for p in page.problems if "status of 403" not in p]
    expect(page.locator("h1")).to_have_text("Not allowed")
    check_page(page)
