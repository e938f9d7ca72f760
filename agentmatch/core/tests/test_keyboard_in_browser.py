"""Everything by keyboard alone: the skip link, the consumer's form, an agent's Accept.

Each step presses keys only (Tab, typing, Space, Enter) and checks where the focus is and
that it is visible (the focus outline from site.css)."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from agentmatch.browser_testing import log_in
from agentmatch.referrals.models import Offer, OfferStatus, Referral
from agentmatch.testing import make_agent, make_agent_user, make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def focus_is_visible(page: Any) -> bool:
    return bool(
        page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                 return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""
        )
    )


def tab_to(page: Any, element_id: str, *, limit: int = 40) -> None:
    for _ in range(limit):
        if focused(page) == element_id:
            assert focus_is_visible(page), f"no visible focus on #{element_id}"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never got the focus (last: {focused(page)})")


def test_a_consumer_asks_for_help_with_the_keyboard_only(page, plan_year):
    make_agent(zip_code="53711", licensed=["WI"])
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    for field, text in [
        ("id_first_name", "Ana"),
        ("id_last_name", "Díaz"),
        ("id_phone", "608-555-0199"),
        ("id_email", ""),
        ("id_zip", "53703"),
    ]:
        tab_to(page, field)
        page.keyboard.type(text)
    tab_to(page, "id_language")
    tab_to(page, "id_consent")
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Get contacted"
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector("#reference")
    assert Referral.objects.get().first_name == "Ana"


def test_a_form_error_can_be_reached_and_fixed_with_the_keyboard(page, plan_year):
    page.goto("/")
    page.locator("#id_first_name").focus()
    page.keyboard.press("Enter")  # submits the empty form
    summary = page.get_by_role("alert").first
    expect(summary).to_be_visible()
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    assert focused(page).startswith("id_")


def test_an_agent_accepts_an_offer_with_the_keyboard_only(page, live_server, plan_year):
    agent = make_agent(zip_code="53711", licensed=["WI"])
    log_in(page, live_server, make_agent_user(agent))
    make_referral(first_name="Rosa")
    page.goto("/workspace/")
    accept = page.locator(".usa-card").get_by_role("button", name="Accept")
    expect(accept).to_be_visible()
    for _ in range(60):
        if page.evaluate("document.activeElement.textContent.trim()") == "Accept":
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached the Accept button")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Rosa"))
    assert Offer.objects.get().status == OfferStatus.ACCEPTED
