import pytest
from django.test import Client

from agentmatch.testing import make_agent, make_agent_user


@pytest.fixture
def agent(plan_year):  # type: ignore[no-untyped-def]
    """Nora, licensed in Wisconsin, closest to Madison's 53703."""
    return make_agent(zip_code="53711", licensed=["WI"], first_name="Nora", last_name="Near")


@pytest.fixture
def far_agent(plan_year):  # type: ignore[no-untyped-def]
    return make_agent(zip_code="53202", licensed=["WI"], first_name="Fred", last_name="Far")


@pytest.fixture
def agent_client(agent) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_agent_user(agent))
    return client
