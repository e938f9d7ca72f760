"""The controls change the service itself: administrators only. Operators (support) get
a page that says so; agents and strangers never reach them."""

import pytest
from django.test import Client

from agentmatch.accounts.models import User
from agentmatch.operations.models import ControlChange
from agentmatch.testing import make_operator


@pytest.fixture
def admin_client(plan_year):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_operator(username="ada.admin", role="administrator"))
    return client


@pytest.mark.django_db
def test_an_administrator_sees_the_controls_and_their_recent_changes(admin_client):
    ada = User.objects.get(username="ada.admin")
    ControlChange.objects.create(
        operator=ada, kind="intake_paused", subject="2026", at="2026-12-01T15:30:00Z"
    )
    response = admin_client.get("/ops/controls/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Paused consumer intake" in page and "ada.admin" in page and "EST" in page
    assert 'href="/ops/controls/"' in page  # the navigation shows administrators the way


@pytest.mark.django_db
def test_an_operator_is_told_the_controls_are_for_administrators(operator_client):
    response = operator_client.get("/ops/controls/")
    assert response.status_code == 403
    assert "for AgentMatch administrators only" in response.content.decode()
    # ... and the navigation does not offer them.
    assert 'href="/ops/controls/"' not in operator_client.get("/ops/").content.decode()


@pytest.mark.django_db
def test_an_agent_gets_the_support_only_page(agent_client):
    response = agent_client.get("/ops/controls/")
    assert response.status_code == 403
    assert "support staff only" in response.content.decode()


@pytest.mark.django_db
def test_a_stranger_is_sent_to_log_in(plan_year):
    response = Client().get("/ops/controls/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
