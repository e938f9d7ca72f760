"""Manage Referrals in a real browser: offers arrive live, accept, follow up, timeouts move on."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agentmatch.browser_testing import check_page
from agentmatch.browser_testing import log_in as browser_log_in
from agentmatch.referrals.jobs import expire_offers_batch
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.testing import make_agent, make_agent_user, make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, agent) -> None:  # type: ignore[no-untyped-def]
    browser_log_in(page, live_server, make_agent_user(agent))


def lapse(offer: Offer) -> None:
    now = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(
        offered_at=now - timedelta(minutes=16), expires_at=now - timedelta(seconds=1)
    )


def test_offer_arrives_live_is_accepted_and_followed_up(page, live_server, plan_year):
    agent = make_agent(zip_code="53711", licensed=["WI"], first_name="Nora")
    log_in(page, live_server, agent)
    page.goto("/accounts/")
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage Referrals")
    expect(page.get_by_text("0 referrals waiting for your answer")).to_be_visible()
    check_page(page)

    # A consumer asks for help while the page is open: it appears without reloading.
    referral = make_referral(first_name="Rosa", last_name="Ruiz")
    card = page.locator(".usa-card", has_text="New referral in Madison, WI")
    expect(card).to_be_visible(timeout=15_000)
    expect(card).to_contain_text("53703")
    expect(card).to_contain_text("English")
    expect(card).not_to_contain_text("Rosa")
    expect(card.locator("[role=timer]")).to_have_text(re.compile(r"^1[45]:\d\d left$"))
    expect(page.get_by_text("1 referral waiting for your answer")).to_be_visible(timeout=15_000)
    check_page(page)

    card.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Ruiz")
    expect(page.get_by_text("You accepted the referral.")).to_be_visible()
    expect(page.get_by_role("link", name="(608) 555-0100")).to_be_visible()
    expect(page.get_by_role("link", name="consumer@example.com")).to_be_visible()
    assert referral.disclosures.filter(context="view", channel="web").count() == 1
    check_page(page)

    # Enrolled without an application ID: the error is on the field and in the summary.
    page.locator("label", has_text="Enrolled").click()
    page.get_by_role("button", name="Save follow-up status").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the application ID")
    field = page.get_by_label("Application ID")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_application_id-error")).to_be_visible()
    check_page(page)
    summary.get_by_role("link").click()
    expect(field).to_be_focused()

    field.fill("APP-2026-00042")
    page.get_by_role("button", name="Save follow-up status").click()
    expect(page.get_by_text("The follow-up status was saved.")).to_be_visible()
    expect(page.get_by_text("Now: Enrolled")).to_be_visible()
    expect(page.locator("table")).to_contain_text("APP-2026-00042")

    page.get_by_role("link", name="Manage Referrals").first.click()
    expect(page.get_by_text("No accepted referrals to follow up.")).to_be_visible()
    page.get_by_role("link", name="See all past referrals (history)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral history")
    expect(page.locator("tbody")).to_contain_text("Enrolled")
    check_page(page)
    page.get_by_label("Outcome").select_option("rejected")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No referrals match these filters.")).to_be_visible()
    check_page(page)


def test_timed_out_offer_moves_to_the_next_agent_live(page, browser, live_server, plan_year):
    near = make_agent(zip_code="53711", licensed=["WI"], first_name="Nora", last_name="Near")
    far = make_agent(zip_code="53202", licensed=["WI"], first_name="Fred", last_name="Far")
    log_in(page, live_server, near)
    page.goto("/workspace/")
    other = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    far_page = other.new_page()
    problems: list[str] = []
    far_page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        log_in(far_page, live_server, far)
        far_page.goto("/workspace/")
        expect(far_page.get_by_text("No new referrals right now.")).to_be_visible()

        referral = make_referral()
        offer = referral.offers.get()
        assert offer.agent == near  # the closer agent first
        expect(page.locator(f"#offer-{offer.pk}")).to_be_visible(timeout=15_000)

        # Nobody answers in 15 minutes: the worker expires the offer and offers it to Fred.
        lapse(offer)
        assert expire_offers_batch(timezone.now())
        assert referral.offers.get(pk=offer.pk).status == OfferStatus.EXPIRED
        following = referral.offers.get(agent=far)
        card = far_page.locator(f"#offer-{following.pk}")
        expect(card).to_be_visible(timeout=15_000)
        expect(card).to_contain_text("Madison, WI")
        expect(page.locator(f"#offer-{offer.pk}")).to_have_count(0, timeout=15_000)
        check_page(far_page)
    finally:
        other.close()
    assert problems == []


def test_workspace_pages_in_spanish_on_a_phone(phone_page, live_server, plan_year):
    page = phone_page
    agent = make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])
    log_in(page, live_server, agent)
    # An accepted referral left uncontacted for over an hour, and a new offer.
    earlier = make_referral(language="es", now=timezone.now() - timedelta(minutes=70))
    from django.db import transaction

    from agentmatch.referrals.services import accept_offer

    with transaction.atomic():
        accept_offer(
            offer_id=earlier.offers.get().pk,
            agent=agent,
            now=timezone.now() - timedelta(minutes=65),
        )
    make_referral(language="es")

    page.goto("/workspace/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administrar referidos")
    expect(page.get_by_text("Todavía sin contactar").first).to_be_visible()
    expect(page.locator("[role=timer]")).to_have_text(re.compile(r"^Quedan 1[45]:\d\d$"))
    check_page(page, language="es")

    page.get_by_role("link", name=re.compile("Actualizar seguimiento")).click()
    expect(page.get_by_role("heading", level=2, name="Todavía sin contactar")).to_be_visible()
    check_page(page, language="es")
    page.locator("label", has_text="No se pudo comunicar").click()
    page.get_by_role("button", name="Guardar estado del seguimiento").click()
    expect(page.locator("#id_reason-error")).to_have_text("Escriba un motivo para este estado.")
    check_page(page, language="es")

    page.goto("/workspace/history/?date_from=ayer")
    expect(page.locator("#id_date_from-error")).to_be_visible()
    check_page(page, language="es")


def test_accounts_without_an_agent_see_why_in_both_languages(page, live_server, plan_year):
    from agentmatch.testing import make_operator

    browser_log_in(page, live_server, make_operator())
    page.goto("/workspace/")
    expect(page.get_by_text("Your account is not linked to an agent.")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_text("Su cuenta no está vinculada a un agente.")).to_be_visible()
    check_page(page, language="es")
