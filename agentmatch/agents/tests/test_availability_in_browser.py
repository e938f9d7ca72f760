"""An agent on a real browser: the header switch, weekly hours and an absence stop offers;
axe-core and the Spanish check on the availability and profile pages in both languages."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.agents.services import agent_zone
from agentmatch.browser_testing import check_page
from agentmatch.browser_testing import log_in as browser_log_in
from agentmatch.referrals.models import Offer
from agentmatch.testing import make_agent, make_agent_user, make_referral

pytestmark = pytest.mark.django_db(transaction=True)


# The passkeys section's strings are the accounts catalog's (filled by another session).
PASSKEY_STRINGS = (
    "A passkey lets you log in on this website with your device's fingerprint, face or PIN "
    "instead of your password.",
    "Name for the new passkey",
    "For example: my phone",
)


def log_in(page: Any, live_server: Any, agent: Agent) -> None:
    browser_log_in(page, live_server, make_agent_user(agent))


@pytest.fixture
def agents(plan_year):  # type: ignore[no-untyped-def]
    """Nora works in Madison next to the consumers; Fred is across town, farther away."""
    near = make_agent(zip_code="53703", licensed=["WI"], languages=["en", "es"], first_name="Nora")
    far = make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"], first_name="Fred")
    return near, far


def offered_to(referral) -> int:  # type: ignore[no-untyped-def]
    return Offer.objects.get(referral=referral).agent_id


def test_the_header_switch_stops_and_restarts_offers(page, live_server, agents):
    near, far = agents
    log_in(page, live_server, near)
    page.goto("/accounts/profile/")
    switch = page.locator("#availability-switch-button")
    assert "Available" in switch.inner_text()
    switch.click()
    page.wait_for_selector("#availability-switch-button.am-switch--off")
    assert "Not available" in page.locator("#availability-switch-button").inner_text()
    # htmx kept the keyboard focus on the switch.
    assert page.evaluate("document.activeElement.id") == "availability-switch-button"
    assert Agent.objects.get(pk=near.pk).availability_switch == AvailabilitySwitch.OFF
    assert offered_to(make_referral(zip_code="53703")) == far.pk

    page.locator("#availability-switch-button").click()
    page.wait_for_selector("#availability-switch-button.am-switch--on")
    assert offered_to(make_referral(zip_code="53703")) == near.pk
    check_page(page)


def test_weekly_hours_set_in_the_page_stop_offers_outside_them(page, live_server, agents):
    near, far = agents
    log_in(page, live_server, near)
    page.goto("/availability/")
    check_page(page)
    page.locator("label", has_text="Follow my weekly hours").click()
    page.get_by_role("button", name="Save setting").click()
    page.wait_for_selector("text=Your availability setting was saved.")

    # Hours on tomorrow only (in the agent's own time zone): not available now.
    tomorrow = (timezone.now().astimezone(agent_zone(near)) + timedelta(days=1)).weekday()
    page.locator(f'button[value="add-{tomorrow}"]').click()
    page.wait_for_selector(f"#hours-{tomorrow}-0-start")
    page.fill(f"#hours-{tomorrow}-0-start", "09:00")
    page.fill(f"#hours-{tomorrow}-0-end", "08:00")
    page.locator(".am-hours > button.usa-button").click()
    page.wait_for_selector("text=The end time must be after the start time.")
    assert page.locator(f"#hours-{tomorrow}-0-end").get_attribute("aria-invalid") == "true"
    check_page(page)

    page.fill(f"#hours-{tomorrow}-0-end", "17:00")
    page.locator(".am-hours > button.usa-button").click()
    page.wait_for_selector("text=Your weekly hours were saved.")
    page.wait_for_selector("#availability-switch-button.am-switch--off")
    near.refresh_from_db()
    assert near.is_available is False
    assert offered_to(make_referral(zip_code="53703")) == far.pk


def test_an_absence_from_today_stops_offers(page, live_server, agents):
    near, far = agents
    log_in(page, live_server, near)
    page.goto("/availability/")
    today = timezone.now().astimezone(agent_zone(near)).date()
    page.fill("#id_first_day", today.strftime("%m/%d/%Y"))
    page.fill("#id_last_day", (today + timedelta(days=2)).strftime("%m/%d/%Y"))
    page.fill("#id_note", "Vacation")
    page.get_by_role("button", name="Add absence").click()
    page.wait_for_selector("text=Your absence was added.")
    assert page.locator(".am-absences").get_by_text("Vacation").is_visible()
    assert "Not available" in page.locator("#availability-switch-button").inner_text()
    assert offered_to(make_referral(zip_code="53703")) == far.pk
    check_page(page)

    # An absence in the past is refused on its field.
    page.fill("#id_first_day", (today - timedelta(days=3)).strftime("%m/%d/%Y"))
    page.fill("#id_last_day", (today - timedelta(days=1)).strftime("%m/%d/%Y"))
    page.get_by_role("button", name="Add absence").click()
    page.wait_for_selector("text=The first day cannot be in the past.")
    check_page(page)


def test_availability_and_profile_pages_in_spanish_on_a_phone(phone_page, live_server, agents):
    near, _far = agents
    page = phone_page
    log_in(page, live_server, near)
    page.goto("/availability/")
    check_page(page, language="es")
    assert "Disponible" in page.locator("#availability-switch-button").inner_text()
    page.locator('button[value="add-0"]').click()
    page.wait_for_selector("#hours-0-0-start")
    page.fill("#hours-0-0-start", "10:00")
    page.get_by_role("button", name="Guardar horario semanal").last.click()
    page.wait_for_selector("text=Ingrese la hora de inicio y la hora de fin.")
    check_page(page, language="es")
    page.goto("/accounts/profile/")
    check_page(page, language="es", allowed=PASSKEY_STRINGS)


def test_the_profile_page_in_english(page, live_server, agents, settings):
    near, _far = agents
    settings.VAPID_PUBLIC_KEY = (
        "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
    )
    log_in(page, live_server, near)
    page.goto("/accounts/profile/")
    assert page.get_by_role("button", name="Turn on notifications on this device").is_visible()
    assert not page.get_by_role("button", name="Turn off notifications on this device").is_visible()
    check_page(page)
    page.get_by_role("button", name="Send me a test email").click()
    page.wait_for_selector("text=Your test was sent.")
    check_page(page)
