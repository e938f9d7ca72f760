"""The USWDS official-site banner, when the deployer names a government owner: it opens
with USWDS's (deferred) script and passes axe-core, in English and in Spanish."""

import pytest
from playwright.sync_api import expect

from agentmatch.browser_testing import check_page

pytestmark = pytest.mark.django_db(transaction=True)

# (the banner's text, its button's name)
BANNER = {
    "en": ("An official website of the United States government", "Here\u2019s how you know"),
    "es": ("Un sitio oficial del Gobierno de Estados Unidos", "Así es como usted puede verificarlo"),  # noqa: E501
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_official_site_banner_opens_and_passes_axe(
    request, live_server, plan_year, settings, language
):
    settings.OFFICIAL_SITE_OWNER = "the United States government"
    page = request.getfixturevalue("page" if language == "en" else "phone_page")
    page.goto("/")
    text, action = BANNER[language]
    banner = page.locator("section.usa-banner")
    expect(banner.locator(".usa-banner__header-text")).to_have_text(text)
    content = banner.locator(".usa-banner__content")
    expect(content).to_be_hidden()
    button = banner.get_by_role("button", name=action)
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(content).to_be_visible()
    expect(content.locator("img").first).to_be_visible()
    expect(page.locator("#identifier-owner")).to_contain_text(text.split(" ", 3)[-1])
    check_page(page, language=language)


def test_without_an_owner_no_page_claims_to_be_official(page, live_server, plan_year):
    page.goto("/")
    expect(page.locator(".usa-banner")).to_have_count(0)
    expect(page.locator("#identifier-owner")).to_have_count(0)
    expect(page.locator(".usa-identifier__required-links-list a")).to_have_count(4)
