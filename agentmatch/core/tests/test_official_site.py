"""Only a deployment its government owner names (OFFICIAL_SITE_OWNER) says it is an official
website: the USWDS banner and the identifier's owner line appear then, in the page's
language, and never on a copy that did not say whose it is. The About, Accessibility and
Privacy pages the identifier links to are there in both languages."""

import pytest
from django.test import Client

from agentmatch.core.official_site import official_owner
from agentmatch.testing import make_agent, make_agent_user

pytestmark = pytest.mark.django_db


def page_in(client: Client, path: str, language: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("path", ["/", "/privacy/", "/about/", "/accounts/login/"])
def test_by_default_no_page_claims_to_be_an_official_website(client, plan_year, path):
    html = page_in(client, path, "en")
    assert "usa-banner" not in html
    assert "An official website" not in html
    assert "usa-identifier" in html


@pytest.mark.parametrize(
    ("language", "banner", "identifier"),
    [
        (
            "en",
            "An official website of the United States government",
            "An official website of the United States government",
        ),
        (
            "es",
            "Un sitio oficial del Gobierno de Estados Unidos",
            "Un sitio oficial del Gobierno de Estados Unidos",
        ),
    ],
)
def test_a_federal_deployment_shows_the_banner_and_names_its_owner(
    client, plan_year, settings, language, banner, identifier
):
    settings.OFFICIAL_SITE_OWNER = "the United States government"
    html = page_in(client, "/", language)
    assert f'<p class="usa-banner__header-text">{banner}</p>' in html
    assert f'<section class="usa-banner" aria-label="{banner}">' in html
    assert f'id="identifier-owner">{identifier}</p>' in html
    usa_gov = "https://www.usa.gov/es/" if language == "es" else 'href="https://www.usa.gov/"'
    assert usa_gov in html
    # The banner's accordion opens with USWDS's script, which never blocks the first paint.
    assert 'src="/static/uswds/js/uswds.min.js" defer' in html


def test_a_states_deployment_names_the_state_in_each_language(client, plan_year, settings):
    settings.OFFICIAL_SITE_OWNER = "the State of Georgia"
    settings.OFFICIAL_SITE_OWNER_ES = "del Estado de Georgia"
    assert "An official website of the State of Georgia" in page_in(client, "/", "en")
    spanish = page_in(client, "/", "es")
    assert "Un sitio oficial del Estado de Georgia" in spanish
    # USA.gov is the federal government's: a state's site does not send people there.
    assert "usa.gov" not in spanish


def test_without_a_spanish_name_the_owner_is_still_named(settings):
    settings.OFFICIAL_SITE_OWNER = "the State of Georgia"
    settings.OFFICIAL_SITE_OWNER_ES = ""
    assert official_owner("es") == "de the State of Georgia"
    settings.OFFICIAL_SITE_OWNER = ""
    assert official_owner("en") == official_owner("es") == ""


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/about/", {"en": "How a request is handled", "es": "Qué pasa con una solicitud"}),
        ("/accessibility/", {"en": "WCAG", "es": "WCAG"}),
        ("/accessibility/", {"en": "Tell us about a problem", "es": "Avísenos de un problema"}),
        ("/privacy/", {"en": "Your consent", "es": "Su consentimiento"}),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pages_the_identifier_links_to_open_without_logging_in(
    client, db, path, words, language
):
    assert words[language] in page_in(client, path, language)


def test_the_privacy_page_says_the_marketplace_consent_is_the_agents_to_ask(client, db):
    html = page_in(client, "/privacy/", "en")
    assert 'id="marketplace-consent"' in html
    assert "they must ask for that consent themselves" in html
    spanish = page_in(client, "/privacy/", "es")
    assert "debe pedirle ese consentimiento directamente" in spanish


def test_the_about_page_says_whether_this_copy_is_official(client, db, settings):
    assert "is not an official government website" in page_in(client, "/about/", "en")
    settings.OFFICIAL_SITE_OWNER = "the United States government"
    assert "This is an official website of the United States government." in page_in(
        client, "/about/", "en"
    )


def test_an_agent_who_has_not_accepted_the_cms_terms_may_still_read_them(client, plan_year):
    user = make_agent_user(
        make_agent(zip_code="53703", licensed=["WI"], service_registered=False),
        accepted=("service",),
    )
    client.force_login(user)
    for path in ("/privacy/", "/accessibility/", "/about/"):
        assert client.get(path).status_code == 200, path
