"""Searching: distance, language, pages, city and state, and clear answers to bad input
on both doors (never a 500), the per-address limit and the API's caching."""

import pytest
from django.test import Client

from agentmatch.directory.search import PAGE_SIZE
from agentmatch.directory.tests.helpers import WI_CONSUMER, api, listed_agent, page
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


def test_the_radius_leaves_out_agents_further_away(plan_year):
    listed_agent()  # Platteville, about 60 miles from Madison

    assert api(Client(), zip=WI_CONSUMER, radius=50).json()["total"] == 0
    assert api(Client(), zip=WI_CONSUMER, radius=100).json()["total"] == 1


def test_results_come_nearest_first(plan_year):
    listed_agent(first_name="Far")
    make_agent(zip_code="53711", licensed=["WI"], first_name="Near", last_name="Agent")
    make_agent(zip_code="53590", licensed=["WI"], first_name="Middle", last_name="Agent")

    agents = api(Client(), zip=WI_CONSUMER).json()["agents"]

    assert [a["name"] for a in agents] == ["Near Agent", "Middle Agent", "Far Quintero"]
    distances = [a["distance_miles"] for a in agents]
    assert distances == sorted(distances)


def test_a_language_lists_only_agents_who_speak_it(plan_year):
    listed_agent()  # English and Spanish
    make_agent(zip_code="53711", licensed=["WI"], first_name="Solo", languages=("en",))

    spanish = api(Client(), zip=WI_CONSUMER, language="es").json()
    assert [a["name"] for a in spanish["agents"]] == ["Paloma Quintero"]
    assert spanish["language"] == "es"
    assert api(Client(), zip=WI_CONSUMER, language="vi").json()["total"] == 0


def test_results_are_paged(plan_year):
    for i in range(PAGE_SIZE + 3):
        make_agent(zip_code="53703", licensed=["WI"], first_name=f"Agent{i:02d}")
    client = Client()

    first = api(client, zip=WI_CONSUMER).json()
    second = api(client, zip=WI_CONSUMER, page=2).json()
    past = api(client, zip=WI_CONSUMER, page=3).json()

    assert (first["total"], first["pages"], len(first["agents"])) == (13, 2, PAGE_SIZE)
    assert len(second["agents"]) == 3
    assert {a["name"] for a in first["agents"]}.isdisjoint(a["name"] for a in second["agents"])
    assert past["agents"] == [] and past["total"] == 13
    html = page(client, zip=WI_CONSUMER)
    assert "Page 1 of 2" in html and "page=2" in html
    assert "There are only 2 pages of results" in page(client, zip=WI_CONSUMER, page=3)


def test_a_city_and_state_search_from_its_zip_code(plan_year):
    listed_agent()

    html = page(Client(), city="madison", state="WI")

    assert "Paloma Quintero" in html
    assert "Madison, WI" in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"zip": "5370"}, "zip", "Enter a 5-digit US ZIP code"),
        ({"zip": "00000"}, "zip", "Enter a 5-digit US ZIP code"),
        ({}, "zip", "Enter your ZIP code, or your city and state."),
        ({"city": "Atlantis", "state": "WI"}, "city", "could not find that city"),
        ({"city": "Madison", "state": "XX"}, "state", "Choose your state."),
        ({"zip": WI_CONSUMER, "radius": "4"}, "radius", "from 5 to 100 miles"),
        ({"zip": WI_CONSUMER, "radius": "101"}, "radius", "from 5 to 100 miles"),
        ({"zip": WI_CONSUMER, "radius": "ten"}, "radius", "from 5 to 100 miles"),
        ({"zip": WI_CONSUMER, "radius": "²"}, "radius", "from 5 to 100 miles"),
        ({"zip": WI_CONSUMER, "language": "klingon"}, "language", "language from the list"),
        ({"zip": WI_CONSUMER, "page": "0"}, "page", "from 1 to 1000"),
        ({"zip": WI_CONSUMER, "page": "99999999999999999999"}, "page", "from 1 to 1000"),
        ({"zip": WI_CONSUMER, "page": "-1"}, "page", "from 1 to 1000"),
    ],
)
def test_bad_input_gets_a_clear_message_on_both_doors(plan_year, params, field, message):
    client = Client()
    response = client.get("/api/v1/directory", {"radius": 25, **params})

    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["field"], error["code"]) == (field, "invalid_search")
    assert message in error["message"]

    shown = client.get("/find-help/", {"radius": 25, **params})
    assert shown.status_code == 400
    assert message in shown.content.decode()


def test_bad_input_is_explained_in_spanish_on_the_spanish_page(plan_year):
    response = Client().get("/find-help/", {"zip": "123"}, HTTP_ACCEPT_LANGUAGE="es")

    assert "Escriba un código postal" in response.content.decode()


def test_the_empty_page_asks_for_a_search_without_complaining(plan_year):
    response = Client().get("/find-help/")

    assert response.status_code == 200
    assert "Please fix" not in response.content.decode()


def test_nobody_near_says_what_to_try_and_offers_to_be_contacted(plan_year):
    html = page(Client(), zip=WI_CONSUMER)

    assert 'id="no-results"' in html
    assert "/?zip=53703" in html


def test_ask_to_be_contacted_fills_in_the_zip_code(plan_year):
    html = Client().get("/", {"zip": "53703"}).content.decode()

    assert 'value="53703"' in html
    assert "/find-help/" in html


def test_searches_are_limited_per_address(plan_year, settings):
    settings.DIRECTORY_SEARCHES_PER_ADDRESS = 2
    client = Client()
    for _ in range(2):
        assert api(client, zip=WI_CONSUMER).status_code == 200

    refused = api(client, zip=WI_CONSUMER)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    shown = client.get("/find-help/", {"zip": WI_CONSUMER})
    assert shown.status_code == 429
    assert "1-800-318-2596" in shown.content.decode()


def test_the_api_answer_is_cacheable_and_revalidates_with_its_etag(plan_year):
    listed_agent()
    client = Client()

    first = api(client, zip=WI_CONSUMER)
    assert first["Cache-Control"] == "public, max-age=300"
    again = client.get(
        "/api/v1/directory", {"radius": 100, "zip": WI_CONSUMER}, HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert again.status_code == 304
    assert again.content == b""
    assert api(client, zip="53711")["ETag"] != first["ETag"]


def test_the_api_errors_are_not_cached(plan_year):
    assert api(Client(), zip="1")["Cache-Control"] == "no-store"


def test_the_operation_is_in_the_openapi_document(plan_year):
    document = Client().get("/api/openapi.json").json()
    operation = document["paths"]["/api/v1/directory"]["get"]

    assert {"200", "422", "429"} <= set(operation["responses"])
    schema = document["components"]["schemas"]["DirectoryAgentOut"]
    assert "street_address" in schema["properties"]
