"""The Get Contacted page: the form, its errors, out-of-area ZIPs, paused intake, honeypot."""

import pytest
from django.conf import settings
from django.urls import reverse

from agentmatch.consumers.tests.helpers import GOOD, submit
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import set_intake
from agentmatch.referrals.models import Referral
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(plan_year):
    return make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])


def test_index_keeps_its_url_name():
    assert reverse("consumers:index") == "/"


def test_form_shows_every_field_and_preselects_the_page_language(client, plan_year):
    page = client.get("/").content.decode()
    for name in ("first_name", "last_name", "phone", "email", "zip", "language", "consent"):
        assert f'name="{name}"' in page
    assert '<option value="en" selected>' in page
    assert "Vietnamese" in page and "Tiếng Việt" in page

    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<option value="es" selected>' in spanish
    assert "Vietnamita" in spanish and "Obtenga" in spanish


def test_a_good_request_makes_a_web_referral_and_shows_the_confirmation(client, agent):
    response = client.post("/", {**GOOD, "language": "vi"}, HTTP_ACCEPT_LANGUAGE="es")
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consumers:confirmation", args=[referral.public_id])
    assert referral.consent_channel == "web"
    assert referral.language == "vi"
    assert referral.phone == "+16085550199"
    assert referral.consent_wording_version == settings.CONSENT_WORDING_VERSION
    assert referral.page_language == "es"

    page = client.get(response["Location"])
    assert f'id="reference" translate="no">{referral.reference}<' in page.content.decode()
    assert reverse("consumers:status", args=[referral.public_id]) in page.content.decode()


def test_every_wrong_field_gets_its_own_error_tied_to_it(client, plan_year):
    response = submit(
        client, first_name="", last_name=" ", phone="12", email="nope", zip="5370", consent=None
    )
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("first_name", "last_name", "phone", "email", "zip", "consent"):
        assert f'id="id_{name}_error"' in page, name
        assert f'href="#id_{name}"' in page, name
    assert 'aria-describedby="id_phone_error id_phone_hint"' in page
    assert 'id="id_email_hint"' not in page  # each field only its own hint
    assert page.count('aria-invalid="true"') == 6
    assert 'role="alert"' in page
    # What the person typed stays in the form.
    assert 'value="nope"' in page
    assert not Referral.objects.exists()


def test_errors_are_in_spanish_on_the_spanish_page(client, plan_year):
    page = submit(client, phone="12", language="es").content.decode()
    assert "Escriba un número de teléfono" in page


def test_an_unknown_zip_and_a_name_too_long(client, plan_year):
    page = submit(client, zip="00000", first_name="x" * 101).content.decode()
    assert "We do not know the ZIP code 00000" in page
    assert "100 characters or fewer" in page


def test_a_zip_outside_the_served_states_points_to_other_help(client, plan_year):
    page = submit(client, zip="10001").content.decode()
    assert "New York" in page and "NY State of Health" in page
    assert "1-800-318-2596" in page and "LocalHelp.HealthCare.gov" in page
    assert 'id="id_zip_error"' in page
    assert not Referral.objects.exists()


def test_paused_intake_answers_kindly_on_get_and_post(client, plan_year):
    set_intake(plan_year=plan_year, open=False, message="Back on January 1.")
    for response, status in ((client.get("/"), 200), (submit(client), 503)):
        assert response.status_code == status
        page = response.content.decode()
        assert "not taking new requests" in page
        assert "Back on January 1." in page
        assert "1-800-318-2596" in page and "HealthCare.gov" in page
        assert 'name="first_name"' not in page
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # Only an English note written: Spanish readers see it too, marked as English.
    assert '<p class="usa-alert__text" id="paused-message" lang="en">Back on January 1.' in spanish
    assert "CuidadoDeSalud.gov" in spanish
    assert not Referral.objects.exists()


def test_paused_intake_shows_the_message_in_the_pages_language(client, plan_year):
    set_intake(
        plan_year=plan_year,
        open=False,
        message="Back on January 1.",
        message_es="Volvemos el 1 de enero.",
    )
    english = client.get("/").content.decode()
    assert '<p class="usa-alert__text" id="paused-message">Back on January 1.' in english
    assert "Volvemos" not in english
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<p class="usa-alert__text" id="paused-message">Volvemos el 1 de enero.' in spanish
    assert "Back on January 1." not in spanish
    refused = submit(client, language="es")
    assert refused.status_code == 503 and "Volvemos el 1 de enero." in refused.content.decode()


def test_a_spanish_only_message_is_shown_on_the_english_page_marked_as_spanish(client, plan_year):
    set_intake(plan_year=plan_year, open=False, message="", message_es="Volvemos pronto.")
    english = client.get("/").content.decode()
    assert 'id="paused-message" lang="es">Volvemos pronto.' in english


def test_without_a_message_the_page_says_the_standard_words_in_its_language(client, plan_year):
    set_intake(plan_year=plan_year, open=False, message="", message_es="")
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'id="paused-message"' not in spanish
    assert "En este momento no aceptamos nuevas solicitudes" in spanish


def test_no_current_plan_year_is_paused_too(client, db):
    PlanYear.objects.all().delete()
    page = client.get("/")
    assert page.status_code == 200 and "not taking new requests" in page.content.decode()
    assert submit(client).status_code == 503


def test_the_honeypot_drops_the_request_quietly(client, agent):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 400
    assert "could not send your request" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_assistive_tech(client, plan_year):
    page = client.get("/").content.decode()
    assert '<div class="consumers-hp" aria-hidden="true">' in page
    assert 'name="website" value="" tabindex="-1" autocomplete="off"' in page


def test_same_phone_with_an_open_request_gets_that_request_not_a_second(client, agent):
    first = submit(client)
    referral = Referral.objects.get()
    again = submit(client)
    assert again.status_code == 302
    assert again["Location"] == reverse("consumers:status", args=[referral.public_id])
    # Another browser without the link: told about it, shown nothing of it.
    other = submit(client.__class__())
    assert other.status_code == 200
    assert "already" in other.content.decode()
    assert str(referral.public_id) not in other.content.decode()
    assert Referral.objects.count() == 1
    assert first.status_code == 302


def test_after_cancel_the_same_phone_may_ask_again(client, agent):
    submit(client)
    Referral.objects.update(status="canceled", ended_at=Referral.objects.get().created_at)
    assert submit(client).status_code == 302
    assert Referral.objects.count() == 2


def test_every_field_error_comes_from_one_validation(client, plan_year, monkeypatch):
    from agentmatch.referrals.actions import requests

    calls = []
    validate = requests.validate_contact_request

    def counted(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return validate(**kwargs)

    monkeypatch.setattr(requests, "validate_contact_request", counted)
    page = submit(
        client, first_name="", last_name="", phone="12", email="nope", zip="5370", consent=None
    ).content.decode()
    assert len(calls) == 1
    for name in ("first_name", "last_name", "phone", "email", "zip", "consent"):
        assert f'id="id_{name}_error"' in page, name


def test_a_premium_rate_or_foreign_phone_is_refused_on_the_form(client, agent):
    for phone in ("+1 900 555 1234", "+44 20 7946 0000"):
        page = submit(client, phone=phone).content.decode()
        assert 'id="id_phone_error"' in page
        assert "premium-rate, toll-free or international" in page
    assert not Referral.objects.exists()


def test_a_control_character_in_a_name_is_refused_naming_the_field_not_a_500(client, agent):
    # Every page's input guard answers first (core/input_guard.py); the intake validator
    # refuses it too for doors the guard does not stand in front of.
    response = submit(client, first_name="An\x00a")
    assert response.status_code == 400
    assert "first_name" in response.content.decode()
    assert not Referral.objects.exists()
