"""A consumer on a real browser: the Spanish form on a phone, the live status page, cancel,
and axe-core plus the Spanish check on every consumer page in both languages."""

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.browser_testing import check_page
from agentmatch.planyears.services import current_plan_year, set_intake
from agentmatch.referrals.models import Referral
from agentmatch.referrals.services import accept_offer, end_unmatched
from agentmatch.testing import make_agent, plan_year_2026

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agent(transactional_db, settings):  # type: ignore[no-untyped-def]
    settings.CONSUMER_STATUS_POLL_SECONDS = 1
    plan_year_2026()
    return make_agent(
        zip_code="53711",
        licensed=["WI"],
        languages=["en", "es"],
        first_name="Rosa",
        last_name="Vega",
    )


def fill_form(page: Any, *, phone: str = "608-555-0199", zip_code: str = "53703") -> None:
    page.fill("#id_first_name", "Ana")
    page.fill("#id_last_name", "Díaz")
    page.fill("#id_phone", phone)
    page.fill("#id_email", "ana@example.com")
    page.fill("#id_zip", zip_code)
    # USWDS draws its own checkbox over the input: people click the label.
    page.locator("label[for=id_consent]").click()


def expect_http_error(page: Any, status: int) -> None:
    """The browser logs an answer like 404 as a console error; here it is the expected one."""
    expected = f"status of {status}"
    page.problems[:] = [p for p in page.problems if expected not in p]


def test_spanish_form_on_a_phone_then_the_agent_appears_without_a_reload(phone_page, agent):
    page = phone_page
    page.goto("/")
    assert page.locator("#id_language").input_value() == "es"
    check_page(page, language="es")

    fill_form(page)
    page.get_by_role("button", name="Solicitar ayuda").click()
    page.wait_for_selector("#reference")
    referral = Referral.objects.get()
    assert page.locator("#reference").inner_text() == referral.reference
    assert referral.language == "es" and referral.consent_channel == "web"
    check_page(page, language="es")

    page.get_by_role("link", name="Ver el estado de su solicitud").click()
    page.wait_for_selector("text=Estamos buscando un agente para usted")
    check_page(page, language="es")
    status_url = page.url
    page.evaluate("window.stillTheSamePage = true")

    offer = referral.offers.get()
    with transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=agent, now=timezone.now())

    page.wait_for_selector("#agent-name", timeout=10_000)
    assert page.locator("#agent-name").inner_text() == "Rosa Vega"
    assert page.locator("#agent-npn").inner_text() == agent.npn
    assert page.locator("#agent-phone").inner_text().endswith(agent.cell_phone[-4:])
    assert page.evaluate("window.stillTheSamePage") is True  # htmx, not a reload
    assert page.url == status_url
    assert page.locator("#status-region").get_attribute("aria-live") == "polite"
    check_page(page, language="es")


def test_cancel_in_english(page, agent):
    page.goto("/")
    check_page(page)
    fill_form(page)
    page.get_by_role("button", name="Get contacted").click()
    page.wait_for_selector("#reference")
    check_page(page)
    page.get_by_role("link", name="See the status of your request").click()
    page.wait_for_selector("text=We are finding an agent for you")
    check_page(page)

    page.get_by_role("link", name="Cancel my request").click()
    page.wait_for_selector("h1:has-text('Cancel your request?')")
    check_page(page)
    page.get_by_role("button", name="Yes, cancel my request").click()
    page.wait_for_selector("text=You canceled this request")
    check_page(page)
    assert Referral.objects.get().status == "canceled"


def test_spanish_cancel_and_status_when_nobody_is_free(phone_page, agent):
    page = phone_page
    page.goto("/")
    fill_form(page)
    page.get_by_role("button", name="Solicitar ayuda").click()
    page.wait_for_selector("#reference")
    page.get_by_role("link", name="Ver el estado de su solicitud").click()
    page.get_by_role("link", name="Cancelar mi solicitud").click()
    page.wait_for_selector("h1:has-text('¿Desea cancelar su solicitud?')")
    check_page(page, language="es")
    page.get_by_role("link", name="No, mantener mi solicitud").click()

    referral = Referral.objects.get()
    with transaction.atomic():
        end_unmatched(referral=referral, now=timezone.now(), reason="test")
    page.wait_for_load_state()
    page.wait_for_selector("#status-body[data-state=unmatched]")
    assert not page.get_by_role("link", name="Cancelar mi solicitud").count()
    check_page(page, language="es")


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_every_other_consumer_page_in_both_languages(which, agent, request):
    page = request.getfixturevalue(which)
    language = "es" if which == "phone_page" else "en"
    submit = "Solicitar ayuda" if language == "es" else "Get contacted"

    # Field errors, with the summary linking to the fields.
    page.goto("/")
    page.fill("#id_phone", "12")
    page.get_by_role("button", name=submit).click()
    page.wait_for_selector("#form-problems")
    assert page.locator("#id_phone").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_phone").get_attribute("aria-describedby").startswith("id_phone_error")
    check_page(page, language=language)
    page.locator("#form-problems a[href='#id_zip']").click()
    assert page.evaluate("document.activeElement.id") == "id_zip"

    # A ZIP outside the served states.
    page.goto("/")
    fill_form(page, zip_code="10001")
    page.get_by_role("button", name=submit).click()
    page.wait_for_selector("#other-help-heading")
    check_page(page, language=language)

    # The same phone again from another browser: told, not shown.
    page.goto("/")
    fill_form(page)
    page.get_by_role("button", name=submit).click()
    page.wait_for_selector("#reference")
    page.context.clear_cookies()
    page.goto("/")
    fill_form(page)
    page.get_by_role("button", name=submit).click()
    page.wait_for_selector("#other-help-heading")
    check_page(page, language=language)

    # A link that does not work.
    referral = Referral.objects.get()
    page.goto(f"/status/{referral.public_id}/not-the-token/")
    expect_http_error(page, 404)
    check_page(page, language=language)

    # Intake paused.
    set_intake(plan_year=current_plan_year(), open=False, message="")
    page.goto("/")
    page.wait_for_selector("#other-help-heading")
    check_page(page, language=language)
