"""Each MLMS display option shows exactly what it allows, on the page and in the API, for
consumers in the agent's home state and in another state: a hidden field is never in the
HTML or the JSON, not even as a hidden element."""

import pytest
from django.test import Client

from agentmatch.core.phones import display_phone
from agentmatch.directory.tests.helpers import (
    IA_CONSUMER,
    STREET,
    WI_CONSUMER,
    api,
    listed_agent,
    page,
)

pytestmark = pytest.mark.django_db

# (display option, consumer ZIP) -> (listed, street shown)
CASES = {
    (1, WI_CONSUMER): (True, True),
    (1, IA_CONSUMER): (True, True),
    (2, WI_CONSUMER): (True, False),
    (2, IA_CONSUMER): (True, False),
    (3, WI_CONSUMER): (True, True),
    (3, IA_CONSUMER): (False, False),
    (4, WI_CONSUMER): (False, False),
    (4, IA_CONSUMER): (False, False),
}


@pytest.mark.parametrize(("option", "consumer_zip"), list(CASES))
def test_the_page_shows_only_what_the_display_option_allows(plan_year, option, consumer_zip):
    agent = listed_agent(display_option=option)
    listed, street = CASES[option, consumer_zip]

    html = page(Client(), zip=consumer_zip)

    assert ("Paloma Quintero" in html) is listed
    assert (agent.email in html) is listed
    assert (display_phone(agent.cell_phone) in html) is listed
    assert ("Platteville, WI 53818" in html) is listed
    assert (STREET in html) is street
    assert ("Quietbrook" in html) is street


@pytest.mark.parametrize(("option", "consumer_zip"), list(CASES))
def test_the_api_returns_only_what_the_display_option_allows(plan_year, option, consumer_zip):
    agent = listed_agent(display_option=option)
    listed, street = CASES[option, consumer_zip]

    response = api(Client(), zip=consumer_zip)

    assert response.status_code == 200
    raw = response.content.decode()
    assert (STREET in raw) is street
    assert (agent.email in raw) is listed
    assert ("Quietbrook" in raw) is street
    agents = response.json()["agents"]
    if not listed:
        assert agents == []
        assert "Quintero" not in raw
        return
    [shown] = agents
    assert shown == {
        "name": "Paloma Quintero",
        "phone": display_phone(agent.cell_phone),
        "email": agent.email,
        "street_address": STREET if street else None,
        "city": "Platteville",
        "state": "WI",
        "zip": "53818",
        "languages": ["en", "es"],
        "distance_miles": shown["distance_miles"],
    }
    assert 0 < shown["distance_miles"] < 100


def test_the_consumer_state_decides_who_is_listed_not_the_distance(plan_year):
    # An agent licensed only in Wisconsin is 20 miles from Dubuque, but an Iowa consumer
    # needs an agent licensed in Iowa.
    listed_agent(licensed=["WI"])

    assert api(Client(), zip=IA_CONSUMER).json()["total"] == 0
    assert api(Client(), zip=WI_CONSUMER).json()["total"] == 1
