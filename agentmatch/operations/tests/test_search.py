"""Find an agent by NPN (leading zeros or not), by any part of a name, or by email."""

import pytest

from agentmatch.agents.models import Agent
from agentmatch.operations.forms import AgentSearchForm
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


def _found(client, query: str, page: int = 1) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/ops/", {"q": query, "page": page})
    assert response.status_code == 200
    return [agent.npn for agent in response.context["page"]]


@pytest.fixture
def agents(plan_year):  # type: ignore[no-untyped-def]
    return {
        "rosa": make_agent(
            zip_code="53703", npn="0012345", first_name="Rosa", last_name="Martinez"
        ),
        "rose": make_agent(zip_code="53703", npn="777", first_name="Roseanne", last_name="Ng"),
        "mark": make_agent(zip_code="53703", npn="888", first_name="Mark", last_name="Osei"),
    }


@pytest.mark.parametrize("query", ["0012345", "12345", "012345", " 12345 "])
def test_npn_matches_with_or_without_leading_zeros(operator_client, agents, query) -> None:
    assert _found(operator_client, query) == ["0012345"]


def test_a_partial_npn_does_not_match(operator_client, agents) -> None:
    assert _found(operator_client, "1234") == []


def test_names_match_partially_and_in_any_case(operator_client, agents) -> None:
    assert _found(operator_client, "ROS") == ["0012345", "777"]  # ordered by last name
    assert _found(operator_client, "tINe") == ["0012345"]
    assert _found(operator_client, "rosa mart") == ["0012345"]
    assert _found(operator_client, "mar") == ["0012345", "888"]


def test_email_matches_in_any_case(operator_client, agents) -> None:
    assert _found(operator_client, agents["mark"].email.upper()) == ["888"]


def test_no_match_says_so(operator_client, agents) -> None:
    response = operator_client.get("/ops/", {"q": "nobody"})
    assert list(response.context["page"]) == []
    assert "No agent matches" in response.content.decode()


def test_the_empty_form_lists_nobody(operator_client, agents) -> None:
    response = operator_client.get("/ops/")
    assert response.context["page"] is None
    assert b'for="q"' in response.content


def test_results_are_paginated(operator_client, plan_year) -> None:
    for i in range(30):
        make_agent(zip_code="53703", first_name="Pat", last_name=f"Smith{i:02d}")
    first, second = _found(operator_client, "smith"), _found(operator_client, "smith", page=2)
    assert len(first) == 25
    assert len(second) == 5
    assert not set(first) & set(second)
    assert "Page 1 of 2" in operator_client.get("/ops/", {"q": "smith"}).content.decode()


def test_a_bad_page_number_shows_a_page_not_an_error(operator_client, agents) -> None:
    assert _found(operator_client, "ros", page="x") == ["0012345", "777"]  # type: ignore[arg-type]


def test_a_nul_character_in_the_search_is_a_clear_400(operator_client, agents) -> None:
    response = operator_client.get("/ops/", {"q": "Rosa\x00"})
    assert response.status_code == 400
    assert "“q” contains a control character" in response.content.decode()


def test_the_search_form_itself_refuses_a_nul_character() -> None:
    # Behind the input guard, the page's own validator says the same.
    form = AgentSearchForm({"q": "Rosa\x00"})
    assert not form.is_valid() and "q" in form.errors


@pytest.fixture
def accented(plan_year):  # type: ignore[no-untyped-def]
    return {
        "lucia": make_agent(
            zip_code="53703", npn="4401", first_name="Lucía", last_name="Peña Muñoz"
        ),
        "jose": make_agent(zip_code="53703", npn="4402", first_name="JOSÉ", last_name="Ibáñez"),
    }


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("lucia", ["4401"]),
        ("LUCÍA", ["4401"]),
        ("pena munoz", ["4401"]),
        ("Peña", ["4401"]),
        ("jose ibanez", ["4402"]),
        ("josé", ["4402"]),
        ("ibañ", ["4402"]),
    ],
)
def test_names_match_whatever_the_accents_and_case(operator_client, accented, query, found):
    assert _found(operator_client, query) == found


@pytest.mark.parametrize(
    "query", ["(608) 555-0177", "608.555.0177", "+1 608 555 0177", "6085550177"]
)
def test_a_cell_phone_finds_its_agent_however_it_is_written(operator_client, accented, query):
    Agent.objects.filter(npn="4402").update(cell_phone="+16085550177")
    Agent.objects.filter(npn="4401").update(cell_phone="+16085550178")
    assert _found(operator_client, query) == ["4402"]


def test_fold_is_what_the_database_does_to_a_column():
    from agentmatch.core.text_search import fold

    assert fold("Lucía PEÑA Muñoz") == "lucia pena munoz"
