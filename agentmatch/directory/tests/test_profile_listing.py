"""The agent chooses, per state, whether consumers find them in Find Local Help, on the
profile page (English and Spanish), apart from their state preferences for referrals."""

import pytest
from django.test import Client

from agentmatch.directory.tests.helpers import IA_CONSUMER, WI_CONSUMER, api, listed_agent
from agentmatch.eligibility.models import DirectoryListing, RoutingState
from agentmatch.testing import make_agent_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def paloma(plan_year, client: Client):  # type: ignore[no-untyped-def]
    user = make_agent_user(listed_agent(), username="paloma")
    client.force_login(user)
    return user


def listed(user) -> set[str]:  # type: ignore[no-untyped-def]
    return set(DirectoryListing.objects.filter(agent=user.agent).values_list("state", flat=True))


def test_the_profile_shows_a_listing_choice_per_eligible_state(paloma, client: Client):
    html = client.get("/accounts/profile/").content.decode()

    assert 'id="listed-WI"' in html and 'id="listed-IA"' in html
    assert 'name="listed" value="IA" checked' in html


def test_the_agent_leaves_a_state_out_of_the_directory(paloma, client: Client):
    response = client.post("/accounts/profile/", {"section": "directory", "listed": ["WI"]})

    assert response.status_code == 302
    assert listed(paloma) == {"WI"}
    assert api(Client(), zip=IA_CONSUMER).json()["total"] == 0
    assert api(Client(), zip=WI_CONSUMER).json()["total"] == 1
    # Referrals still come from Iowa.
    assert RoutingState.objects.filter(agent=paloma.agent, state="IA").exists()
    html = client.get("/accounts/profile/").content.decode()
    assert 'name="listed" value="IA">' in html


def test_a_state_outside_eligibility_is_refused_and_nothing_changes(paloma, client: Client):
    response = client.post(
        "/accounts/profile/", {"section": "directory", "listed": ["WI", "IA", "TX"]}, follow=True
    )

    assert "TX" in response.content.decode()
    assert listed(paloma) == {"WI", "IA"}


def test_the_listing_choice_is_in_spanish(paloma, client: Client):
    html = client.get("/accounts/profile/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Directorio Encuentre ayuda local" in html
