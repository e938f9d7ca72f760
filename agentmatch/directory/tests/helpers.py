"""A small map for directory tests: an agent in Platteville, WI, near the Iowa line.

Madison, WI (53703) is about 60 miles from Platteville, Dubuque, IA (52001) about 20.
"""

from django.test import Client

from agentmatch.agents.models import Agent
from agentmatch.testing import make_agent

AGENT_ZIP = "53818"  # Platteville, WI
WI_CONSUMER = "53703"  # Madison, WI: the agent's home state
IA_CONSUMER = "52001"  # Dubuque, IA: another state the agent is licensed in
STREET = "77 Quietbrook Lane"


def listed_agent(*, display_option: int = 1, **kwargs: object) -> Agent:
    """A WI agent licensed in WI and IA with a street address on record."""
    defaults: dict[str, object] = {
        "zip_code": AGENT_ZIP,
        "licensed": ["WI", "IA"],
        "home_state": "WI",
        "first_name": "Paloma",
        "last_name": "Quintero",
        "languages": ("en", "es"),
    }
    agent = make_agent(display_option=display_option, **{**defaults, **kwargs})  # type: ignore[arg-type]
    Agent.objects.filter(pk=agent.pk).update(business_street=STREET)
    agent.refresh_from_db()
    return agent


def page(client: Client, **params: object) -> str:
    return client.get("/find-help/", {"radius": 100, **params}).content.decode()


def api(client: Client, **params: object):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/directory", {"radius": 100, **params})
