"""The operator's agent page lists where MLMS differs from what the agent set here."""

import pytest
from django.utils import timezone

from agentmatch.accounts.agent_actions import change_languages
from agentmatch.agents.models import Channel
from agentmatch.imports.actions import import_file
from agentmatch.imports.models import ImportKind
from agentmatch.imports.tests.helpers import write_roster
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


def test_the_agent_page_lists_the_roster_conflicts(operator_client, tmp_path) -> None:
    agent = make_agent(npn="0012345", zip_code="53703", licensed=["WI"], languages=["en"])
    change_languages(agent=agent, now=timezone.now(), channel=Channel.WEB, languages=["en", "es"])
    path = write_roster(tmp_path, ["0012345,Alex,Agent,53703,en,1"])
    import_file(kind=ImportKind.ROSTER, path=path, now=timezone.now())
    page = operator_client.get(f"/ops/agents/{agent.npn}/").content.decode()
    assert "MLMS differs from what the agent set here" in page
    assert "<td>en</td><td>en, es</td>" in page
    assert "roster.csv" in page
    assert "set by the agent on" in page and "MLMS no longer changes them" in page


def test_an_agent_without_conflicts_shows_none(operator_client) -> None:
    agent = make_agent(zip_code="53703", licensed=["WI"])
    page = operator_client.get(f"/ops/agents/{agent.npn}/").content.decode()
    assert "MLMS differs" not in page
