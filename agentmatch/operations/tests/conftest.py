"""Personas for the support pages: an operator, an administrator, agents with accounts.

The builders themselves live in agentmatch/testing.py (make_operator, make_agent_user);
these fixtures sign them in.
"""

import pytest
from django.test import Client

from agentmatch.testing import make_agent, make_agent_user, make_operator


@pytest.fixture
def operator(plan_year):  # type: ignore[no-untyped-def]
    return make_operator()


@pytest.fixture
def operator_client(operator):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def rosa(plan_year):  # type: ignore[no-untyped-def]
    """An agent in Madison, WI, licensed and routed for WI, with an account."""
    agent = make_agent(
        zip_code="53703", licensed=["WI"], first_name="Rosa", last_name="Martinez", npn="00412345"
    )
    return make_agent_user(agent, username="rosa.martinez")


@pytest.fixture
def agent_client(rosa):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(rosa)
    return client
