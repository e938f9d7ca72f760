"""Control characters in a page's address, query, form or headers are refused with a clear
400 that names the parameter, in the reader's language, before any view or database sees
them (a NUL byte used to make PostgreSQL fail with a 500)."""

import pytest
from django.test import Client

from agentmatch.referrals.models import Referral
from agentmatch.testing import make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def operator_client(plan_year, client):
    client.force_login(make_operator())
    return client


def assert_refused(response, name: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    page = response.content.decode()
    assert f"“{name}”" in page
    return page


def test_a_nul_in_the_operator_search_is_a_400_naming_q(operator_client):
    response = operator_client.get("/ops/?q=%00")
    page = assert_refused(response, "q")
    assert "control character" in page


def test_the_refusal_is_in_spanish_for_a_spanish_reader(operator_client):
    response = operator_client.get("/ops/?q=ana%00", HTTP_ACCEPT_LANGUAGE="es")
    page = assert_refused(response, "q")
    assert "carácter de control" in page


def test_a_nul_in_the_contact_form_name_is_a_400_and_nothing_is_stored(plan_year, client):
    form = {
        "first_name": "Ana\x00",
        "last_name": "Diaz",
        "phone": "(608) 555-0199",
        "zip": "53703",
        "language": "en",
        "consent": "on",
    }
    assert_refused(client.post("/", form), "first_name")
    assert not Referral.objects.exists()


def test_a_nul_in_the_login_username_is_a_400(plan_year, client):
    response = client.post("/accounts/login/", {"username": "olivia\x00", "password": "x"})
    assert_refused(response, "username")


def test_an_escape_character_in_a_query_parameter_is_refused(plan_year, client):
    assert_refused(client.get("/?lang=%1b[31m"), "lang")


def test_line_breaks_in_a_form_field_are_left_to_the_form(plan_year, client):
    # A text box may hold several lines; only the form can say whether a field may.
    response = client.post("/", {"first_name": "Ana\r\nDiaz"})
    assert response.status_code != 400 or "control character" not in response.content.decode()


def test_a_control_character_in_a_header_is_refused(plan_year, client):
    response = client.get("/", HTTP_X_REQUESTED_WITH="x\x00")
    assert_refused(response, "X-Requested-With")


def test_accents_and_other_letters_pass(operator_client):
    response = operator_client.get("/ops/?q=Jos%C3%A9+Mu%C3%B1oz")
    assert response.status_code == 200
