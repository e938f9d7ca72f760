"""The whole service in real browsers: a consumer on a phone in Spanish, two agents at
their desks, the worker moving a referral on when an offer times out."""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from agentmatch.browser_testing import DESKTOP, check_page
from agentmatch.core.jobs import run_due_jobs
from agentmatch.referrals.models import Offer, OfferStatus, Referral
from agentmatch.testing import make_agent, make_agent_user, plan_year_2026

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(browser, live_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Opens desktop pages, one browser context (own cookies) per agent."""
    contexts: list[Any] = []

    def open_workspace(agent) -> Any:  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport=DESKTOP, locale="en-US", base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        client = Client()
        client.force_login(make_agent_user(agent))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto("/workspace/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Manage Referrals")
        return page

    yield open_workspace
    for context in contexts:
        context.close()


def ask_for_help(page: Any, *, first_name: str, phone: str) -> Referral:
    page.goto("/")
    page.fill("#id_first_name", first_name)
    page.fill("#id_last_name", "Díaz")
    page.fill("#id_phone", phone)
    page.fill("#id_zip", "53703")
    page.locator("label[for=id_consent]").click()
    page.get_by_role("button", name="Solicitar ayuda").click()
    page.wait_for_selector("#reference")
    return Referral.objects.get(first_name=first_name)


def test_a_spanish_request_reaches_the_closest_agent_and_moves_on_when_an_offer_lapses(
    phone_page, desk, settings
) -> None:
    settings.CONSUMER_STATUS_POLL_SECONDS = 1
    plan_year_2026()
    # Both speak Spanish and are licensed in Wisconsin; Nora's office is closer to 53703.
    nora = make_agent(zip_code="53703", licensed=["WI"], languages=["en", "es"], first_name="Nora")
    omar = make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"], first_name="Omar")
    nora_desk, omar_desk = desk(nora), desk(omar)

    # 1. A consumer asks for help in Spanish on a phone; the closest agent sees it arrive.
    consumer = phone_page
    referral = ask_for_help(consumer, first_name="Ana", phone="608-555-0101")
    assert referral.language == "es"
    check_page(consumer, language="es")
    consumer.get_by_role("link", name="Ver el estado de su solicitud").click()
    consumer.wait_for_selector("text=Estamos buscando un agente para usted")

    card = nora_desk.locator(".usa-card", has_text="New referral in Madison, WI")
    expect(card).to_be_visible(timeout=15_000)
    expect(card).to_contain_text("Spanish")
    expect(card).not_to_contain_text("Ana")
    expect(omar_desk.locator(".usa-card", has_text="New referral")).to_have_count(0)

    # 2. Nora accepts in the workspace and sees the consumer's details.
    card.get_by_role("button", name="Accept").click()
    expect(nora_desk.get_by_role("heading", level=1)).to_have_text("Ana Díaz")
    check_page(nora_desk)

    # 3. The consumer's status page shows Nora without being reloaded.
    expect(consumer.locator("#agent-name")).to_have_text(re.compile("Nora"), timeout=15_000)
    assert consumer.locator("#agent-npn").inner_text() == nora.npn
    check_page(consumer, language="es")

    # 4. A second request goes to Nora again (closest); she lets the 15 minutes pass.
    nora_desk.get_by_role("link", name="Manage Referrals").first.click()
    second = ask_for_help(consumer, first_name="Beto", phone="608-555-0102")
    first_offer = Offer.objects.get(referral=second)
    assert first_offer.agent_id == nora.pk
    expect(nora_desk.locator(".usa-card", has_text="New referral in Madison, WI")).to_be_visible(
        timeout=15_000
    )
    lapsed = timezone.now() - timedelta(seconds=1)
    Offer.objects.filter(pk=first_offer.pk).update(
        offered_at=lapsed - timedelta(seconds=settings.OFFER_WINDOW_SECONDS), expires_at=lapsed
    )
    run_due_jobs()  # what the worker does on its next turn

    # 5. The worker moved it on: Omar sees it appear; it is gone from Nora's list.
    assert Offer.objects.get(pk=first_offer.pk).status == OfferStatus.EXPIRED
    next_offer = Offer.objects.get(referral=second, status=OfferStatus.PENDING)
    assert next_offer.agent_id == omar.pk and next_offer.position == 2
    omar_card = omar_desk.locator(".usa-card", has_text="New referral in Madison, WI")
    expect(omar_card).to_be_visible(timeout=15_000)
    expect(nora_desk.locator(".usa-card", has_text="New referral")).to_have_count(0, timeout=15_000)
    omar_card.get_by_role("button", name="Accept").click()
    expect(omar_desk.get_by_role("heading", level=1)).to_have_text("Beto Díaz")
