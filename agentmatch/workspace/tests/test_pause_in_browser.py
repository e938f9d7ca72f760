"""A real browser, English and Spanish: after a missed offer the workspace shows the pause,
and its one button brings the agent back to the mode they were in (axe-core clean)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.browser_testing import check_page, log_in
from agentmatch.referrals.jobs import expire_offers_batch
from agentmatch.testing import make_agent, make_agent_user, make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def paused_agent(*, languages: tuple[str, ...]) -> Agent:
    agent = make_agent(zip_code="53711", licensed=["WI"], first_name="Nora", languages=languages)
    make_referral(language=languages[0])
    assert expire_offers_batch(timezone.now() + timedelta(minutes=16)) is True
    agent.refresh_from_db()
    assert agent.paused_after_missed_offer_at is not None
    return agent


def come_back(page: Any, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_selector("#availability-switch-button.am-switch--on")
    assert page.locator("#paused-banner").count() == 0


def test_the_workspace_banner_brings_a_paused_agent_back(page, live_server, plan_year):
    agent = paused_agent(languages=("en",))
    log_in(page, live_server, make_agent_user(agent))
    page.goto("/workspace/")
    banner = page.locator("#paused-banner")
    assert "When you come back, you are available again." in banner.inner_text()
    assert "Paused after a missed referral" in page.locator(".am-switch__hint").inner_text()
    check_page(page)
    come_back(page, "I'm back")
    assert Agent.objects.get(pk=agent.pk).availability_switch == AvailabilitySwitch.ON
    check_page(page)


def test_the_workspace_banner_in_spanish_on_a_phone(phone_page, live_server, plan_year):
    agent = paused_agent(languages=("es",))
    log_in(phone_page, live_server, make_agent_user(agent))
    phone_page.goto("/workspace/")
    assert "Cuando vuelva, estará disponible de nuevo." in phone_page.inner_text("#paused-banner")
    check_page(phone_page, language="es")
    come_back(phone_page, "Ya volví")
    check_page(phone_page, language="es")
