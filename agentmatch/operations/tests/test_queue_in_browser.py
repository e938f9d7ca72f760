"""The live queue in a real browser: it updates by itself, filters, and opens a timeline."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from agentmatch.browser_testing import check_page, log_in
from agentmatch.operations.tests.queue_world import build_queue_world
from agentmatch.testing import make_agent, make_operator, make_referral

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(plan_year):  # type: ignore[no-untyped-def]
    rosa = make_agent(
        zip_code="53703", licensed=["WI"], first_name="Rosa", last_name="Martinez", npn="412345"
    )
    return build_queue_world(rosa)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_queue_updates_by_itself_filters_and_opens_a_timeline(
    page, phone_page, live_server, world, language
):
    browser_page = page if language == "en" else phone_page
    log_in(browser_page, live_server, make_operator())
    browser_page.goto("/ops/")
    if language == "es":  # the phone: the navigation is behind the menu button
        browser_page.locator(".usa-menu-btn").click()
    browser_page.locator("a.usa-nav-link[href='/ops/queue/']").click()
    expect(browser_page).to_have_url(re.compile(r"/ops/queue/$"))
    expect(browser_page.locator("#queue-gaps")).to_contain_text("TX")
    expect(browser_page.locator("#queue-waiting tbody tr")).to_have_count(4)
    check_page(browser_page, language=language)

    # A new request shows up without reloading the page (htmx polls the fragment).
    browser_page.evaluate("window.stillTheSamePage = true")
    newcomer = make_referral(zip_code="77002", language="es")
    expect(browser_page.locator("#queue-waiting tbody tr")).to_have_count(5, timeout=20_000)
    expect(browser_page.locator("#queue-waiting")).to_contain_text(newcomer.reference)
    assert browser_page.evaluate("window.stillTheSamePage") is True
    check_page(browser_page, language=language)

    # Filter to Texas referrals waiting more than 5 minutes: none of them.
    browser_page.locator("#id_state").select_option("TX")
    browser_page.locator("#id_older_than").select_option("5")
    browser_page.locator(".queue-filters button[type=submit]").click()
    expect(browser_page).to_have_url(re.compile(r"state=TX"))
    expect(browser_page.locator("#queue-waiting tbody tr")).to_have_count(0)
    expect(browser_page.locator("#queue-unmatched tbody tr")).to_have_count(1)
    check_page(browser_page, language=language)

    # A bad filter typed into the address is explained, in the page's language.
    browser_page.goto("/ops/queue/?hours=0")
    browser_page.problems[:] = [p for p in browser_page.problems if "status of 400" not in p]
    expect(browser_page.locator("#filter-errors")).to_be_visible()
    check_page(browser_page, language=language)

    # Each row opens the referral's timeline.
    browser_page.goto("/ops/queue/?show=offered")
    browser_page.locator("#queue-offered tbody a").first.click()
    expect(browser_page).to_have_url(re.compile(rf"/ops/referrals/{world.offered.public_id}/$"))


def test_signed_out_while_watching_the_queue_goes_to_the_login_page(page, live_server, world):
    log_in(page, live_server, make_operator())
    page.goto("/ops/queue/")
    expect(page.locator("#queue-live")).to_be_visible()
    Session.objects.all().delete()  # signed out elsewhere, or the session expired
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/ops/queue/$"), timeout=20_000)
    check_page(page)
