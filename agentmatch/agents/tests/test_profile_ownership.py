"""The profile page shows what MLMS owns read-only ("change it in MLMS") and marks what the
agent takes over by editing it here (agents/ownership.py)."""

import pytest
from django.test import Client

from agentmatch.agents.models import EditedField
from agentmatch.testing import make_agent_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat(plan_year, client: Client):  # type: ignore[no-untyped-def]
    user = make_agent_user(username="pat.agent", licensed=["WI"], zip_code="53703")
    client.force_login(user)
    return user


def test_mlms_fields_are_read_only_with_change_it_in_mlms(pat, client: Client) -> None:
    page = client.get("/accounts/profile/").content.decode()
    assert "change it in MLMS" in page
    assert 'name="first_name"' not in page and 'name="email"' not in page
    assert "Business street address" in page and "Home state" in page


def test_spanish_profile_says_change_it_in_mlms(pat, client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/profile/"})
    page = client.get("/accounts/profile/").content.decode()
    assert "cámbielo en el MLMS" in page
    assert "las actualizaciones del MLMS ya no los reemplazan" in page


def test_changing_languages_and_zip_here_makes_them_the_agents(pat, client: Client) -> None:
    client.post("/accounts/profile/", {"section": "languages", "languages": ["en", "es"]})
    client.post(
        "/accounts/profile/",
        {
            "section": "contact",
            "cell_phone": "608-555-0142",
            "contact_method": pat.agent.contact_method,
            "zip_code": "53202",
        },
    )
    edited = set(EditedField.objects.filter(agent=pat.agent).values_list("field", flat=True))
    assert edited == {"languages", "zip"}
