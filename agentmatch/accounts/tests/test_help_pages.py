"""Agents without an invitation, and any agent looking for the CMS resources, find help
without logging in, in English and Spanish, with the tip sheets' addresses and links."""

import pytest
from django.test import Client

from agentmatch.testing import make_agent_user

pytestmark = pytest.mark.django_db

HELP_DESK = "FFMProducer-AssisterHelpDesk@cms.hhs.gov"
LICENSED_STATE = "FFMProducer-Assister@cms.hhs.gov"
TRACKER = "https://data.healthcare.gov/ab-registration-tracker/"
NPN_LOOKUP = "https://nipr.com/help/look-up-your-npn"


def page(client: Client, path: str, language: str = "en") -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_login_page_says_check_spam_then_the_help_desk_and_links_the_help_pages(
    client: Client,
) -> None:
    html = page(client, "/accounts/login/")
    assert html.index("spam folder") < html.index(f"mailto:{HELP_DESK}")
    assert TRACKER in html and NPN_LOOKUP in html
    assert 'href="/accounts/no-invitation/"' in html
    assert 'href="/accounts/help/"' in html


@pytest.mark.parametrize(
    ("language", "spam", "heading"),
    [
        ("en", "spam folder", "Didn't get an invitation?"),
        ("es", "correo no deseado", "¿No recibió una invitación?"),
    ],
)
def test_the_no_invitation_page_is_public_and_lists_spam_tracker_npn_and_help_desk(
    client: Client, language: str, spam: str, heading: str
) -> None:
    html = page(client, "/accounts/no-invitation/", language)
    assert heading in html
    assert html.index(spam) < html.index(f"mailto:{HELP_DESK}")
    assert f'href="{TRACKER}"' in html and f'href="{NPN_LOOKUP}"' in html
    assert f"mailto:{LICENSED_STATE}" in html


@pytest.mark.parametrize(
    ("language", "heading", "resources"),
    [
        ("en", "Help and resources", "Agents and Brokers Resources webpage"),
        ("es", "Ayuda y recursos", 'página web <span lang="en">Agents and Brokers Resources'),
    ],
)
def test_the_help_page_lists_the_tip_sheets_resources(
    client: Client, language: str, heading: str, resources: str
) -> None:
    html = page(client, "/accounts/help/", language)
    assert heading in html and resources in html
    assert "Tips for Maximizing Your Participation in Help On Demand" in html
    assert "Help On Demand: Update Your Profile" in html
    assert "ab-helpondemandupdateprofile-tipsheet.pdf" in html
    assert 'href="https://www.cms.gov/marketplace/agents-brokers/resources"' in html
    assert f"mailto:{HELP_DESK}" in html and f"mailto:{LICENSED_STATE}" in html


def test_a_missing_licensed_state_is_sent_to_the_licensing_address_not_the_help_desk(
    plan_year, client: Client
) -> None:
    client.force_login(make_agent_user(username="pat.agent", licensed=["WI"]))
    html = page(client, "/accounts/profile/")
    assert f"missing or wrong here, email {LICENSED_STATE}" in html
