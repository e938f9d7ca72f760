"""Events' details are codes with parameters, shown in the reader's language."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from agentmatch.referrals.event_details import (
    CATALOG,
    describe,
    event_text,
    offer_reason_text,
    recognise,
)
from agentmatch.referrals.forgetting import anonymise_referral
from agentmatch.referrals.models import EventKind, ReferralEvent
from agentmatch.referrals.services import cancel_referral
from agentmatch.testing import make_agent, make_referral

# Each code with the parameters its writer stores, and its text in English and Spanish.
EXAMPLES = {
    "request_received": (
        {"zip": "53703", "language": "es"},
        "request from ZIP code 53703, language: Spanish",
        "solicitud desde el código postal 53703, idioma: español",
    ),
    "offered": (
        {"position": 2, "npn": "1234567", "rank": 1, "distance_miles": 2.46},
        "offer 2 to 1234567, rank 1, 2.5 mi",
        "oferta 2 a 1234567, posición 1, 2,5 millas",
    ),
    "offered_fair": (
        {
            "position": 1,
            "npn": "1234567",
            "rank": 3,
            "distance_miles": 4.04,
            "band_agents": 3,
            "band_miles": 5.0,
            "closest_miles": 2.0,
        },
        "offer 1 to 1234567, 4.0 mi: least recently offered of 3 agents within 5 mi of the "
        "closest (2.0 mi)",
        "oferta 1 a 1234567, 4,0 millas: quien lleva más tiempo sin ofertas de 3 agentes a "
        "5 millas o menos del más cercano (2,0 millas)",
    ),
    "offered_responsive": (
        {
            "position": 2,
            "npn": "1234567",
            "rank": 2,
            "distance_miles": 3.5,
            "band_agents": 3,
            "band_miles": 7.5,
            "closest_miles": 2.5,
            "score": 0.92,
            "answered": 10,
            "settled": 10,
        },
        "offer 2 to 1234567, 3.5 mi: best answer score 0.92 (answered 10 of their last 10 "
        "offers) of 3 agents within 7.5 mi of the closest (2.5 mi)",
        "oferta 2 a 1234567, 3,5 millas: mejor puntuación de respuesta 0,92 (respondió 10 de "
        "sus últimas 10 ofertas) de 3 agentes a 7,5 millas o menos del más cercano (2,5 millas)",
    ),
    "offered_short_window": (
        {
            "position": 1,
            "npn": "1234567",
            "rank": 1,
            "distance_miles": 2.0,
            "minutes": 7.5,
            "waiting": 12,
            "available": 6,
        },
        "offer 1 to 1234567, rank 1, 2.0 mi; window shortened to 7.5 min: 12 requests "
        "waiting for 6 available agents",
        "oferta 1 a 1234567, posición 1, 2,0 millas; plazo reducido a 7,5 min: 12 "
        "solicitudes en espera para 6 agentes disponibles",
    ),
    "no_agent_for_state": (
        {"state": "WI"},
        "no agent receives referrals for WI",
        "ningún agente recibe referidos de WI",
    ),
    "no_agent_speaks_language": (
        {"state": "WI", "language": "vi"},
        "no agent for WI speaks Vietnamese",
        "ningún agente de WI habla vietnamita",
    ),
    "no_agent_available": (
        {"state": "WI", "language": "es"},
        "no agent for WI who speaks Spanish is available",
        "ningún agente de WI que hable español está disponible",
    ),
    "all_offered_or_busy": (
        {},
        "every qualified available agent was already offered this referral or is busy",
        "a todos los agentes calificados y disponibles ya se les ofreció este referido o "
        "están ocupados",
    ),
    "max_wait": ({}, "maximum wait reached", "se alcanzó la espera máxima"),
    "max_wait_reached": (
        {"reason": "no_agent_for_state", "state": "WI"},
        "maximum wait reached; no agent receives referrals for WI",
        "se alcanzó la espera máxima; ningún agente recibe referidos de WI",
    ),
    "withdrawn_agent_deactivated": (
        {},
        "withdrawn by support: agent deactivated",
        "retirada por soporte: agente desactivado",
    ),
    "offer_window_passed": (
        {},
        "no answer within the offer window",
        "sin respuesta dentro del plazo de la oferta",
    ),
    "offer_window_passed_paused": (
        {"was": "schedule"},
        "no answer within the offer window; paused after a missed offer "
        "(was: Follow my weekly hours)",
        "sin respuesta dentro del plazo de la oferta; en pausa tras una oferta sin responder "
        "(antes: Seguir mi horario semanal)",
    ),
    "offer_window_passed_already_paused": (
        {},
        "no answer within the offer window; agent already paused after a missed offer",
        "sin respuesta dentro del plazo de la oferta; el agente ya estaba en pausa tras una "
        "oferta sin responder",
    ),
    "canceled_by_consumer": ({}, "canceled by the consumer", "cancelado por el consumidor"),
    "contact_details_removed": (
        {"days": 90},
        "contact details removed after 90 days (CONSUMER_DATA_RETENTION_DAYS)",
        "datos de contacto eliminados después de 90 días (CONSUMER_DATA_RETENTION_DAYS)",
    ),
}


def test_every_code_of_the_catalog_has_an_example() -> None:
    assert set(EXAMPLES) == set(CATALOG)


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_each_code_renders_in_english_and_in_spanish(code: str) -> None:
    params, english, spanish = EXAMPLES[code]
    with translation.override("en"):
        assert describe(code, params) == english
    with translation.override("es"):
        assert describe(code, params) == spanish


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_each_english_sentence_reads_back_into_its_code(code: str) -> None:
    _params, english, spanish = EXAMPLES[code]
    found, found_params = recognise(english)
    assert found == code
    with translation.override("es"):
        assert describe(found, found_params) == spanish


def test_the_sentences_written_before_codes_read_back_into_codes() -> None:
    assert recognise("53703 es") == ("request_received", {"zip": "53703", "language": "es"})
    assert recognise("[ZIP removed] es") == ("request_received", {"zip": None, "language": "es"})
    assert recognise("maximum wait reached; no agent for WI speaks 'vi'") == (
        "max_wait_reached",
        {"reason": "no_agent_speaks_language", "state": "WI", "language": "vi"},
    )
    assert recognise("a note support typed") == ("", {})


def test_an_unknown_code_or_broken_params_fall_back_to_the_stored_text() -> None:
    assert describe("a_code_of_a_later_release", {"x": 1}, fallback="as stored") == "as stored"
    assert describe("a_code_of_a_later_release") == "a_code_of_a_later_release"
    assert describe("offered", {"position": 1}, fallback="offer 1") == "offer 1"
    assert describe("offered", ["not", "a", "dict"], fallback="offer 1") == "offer 1"  # type: ignore[arg-type]
    event = ReferralEvent(code="a_code_of_a_later_release", params={}, detail="later text")
    assert event_text(event) == "later text"
    assert event_text(ReferralEvent(code="", detail="typed by hand")) == "typed by hand"


def test_a_cleared_zip_code_reads_as_removed_in_each_language() -> None:
    params = {"zip": None, "language": "en"}
    with translation.override("en"):
        assert describe("request_received", params) == (
            "request from ZIP code [ZIP removed], language: English"
        )
    with translation.override("es"):
        assert "[código postal eliminado]" in describe("request_received", params)


@pytest.mark.django_db
def test_every_writer_stores_a_code_its_params_and_the_english_text(plan_year) -> None:
    agent = make_agent(zip_code="53711", licensed=["WI"])
    referral = make_referral(zip_code="53703", language="en")
    with transaction.atomic():
        cancel_referral(referral_id=referral.pk, now=timezone.now())
    rows = list(referral.events.values_list("kind", "code", "params", "detail"))
    assert rows[0] == (
        "created",
        "request_received",
        {"zip": "53703", "language": "en"},
        "request from ZIP code 53703, language: English",
    )
    kind, code, params, detail = rows[1]
    assert (kind, code, params["npn"], params["position"]) == ("offered", "offered", agent.npn, 1)
    assert detail == f"offer 1 to {agent.npn}, rank 1, {params['distance_miles']:.1f} mi"
    assert rows[2] == ("canceled", "canceled_by_consumer", {}, "canceled by the consumer")


@pytest.mark.django_db
def test_forgetting_a_consumer_clears_the_zip_code_from_the_events_params(plan_year) -> None:
    make_agent(zip_code="53711", licensed=["WI"])
    referral = make_referral(zip_code="53703")
    with transaction.atomic():
        referral = cancel_referral(referral_id=referral.pk, now=timezone.now())
        assert anonymise_referral(referral=referral, now=timezone.now())
    created = referral.events.get(kind=EventKind.CREATED)
    assert created.params == {"zip": None, "language": "en"}
    for event in referral.events.all():
        assert "53703" not in json.dumps(event.params) and "53703" not in event.detail
    with translation.override("es"):
        assert (
            event_text(created)
            == "solicitud desde el código postal [código postal eliminado], idioma: inglés"
        )


@pytest.mark.django_db
def test_explain_referral_tells_the_events_in_the_language_asked_for(plan_year) -> None:
    make_agent(zip_code="53711", licensed=["WI"])
    referral = make_referral(zip_code="53703")
    with transaction.atomic():
        cancel_referral(referral_id=referral.pk, now=timezone.now())
    out = StringIO()
    call_command("explain_referral", referral.reference, "--language", "es", stdout=out)
    text = out.getvalue()
    assert "Ended: cancelado por el consumidor" in text
    assert "why: Agente calificado más cercano (a " in text
    assert "solicitud desde el código postal 53703, idioma: inglés" in text
    english = StringIO()
    call_command("explain_referral", referral.reference, stdout=english)
    assert "canceled by the consumer" in english.getvalue()


@pytest.mark.django_db
def test_why_an_offer_went_to_its_agent_reads_in_each_language(plan_year) -> None:
    make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])
    offer = make_referral(zip_code="53703", language="es").offers.get()
    distance = offer.explanation["distance_miles"]
    with translation.override("es"):
        text, lang = offer_reason_text(offer)
    assert lang == ""
    assert text.startswith(f"Agente calificado más cercano (a {distance:.1f}".replace(".", ","))
    assert "habla español" in text and "53703" not in text
    with translation.override("en"):
        assert offer_reason_text(offer)[0].startswith("Closest qualified agent (")
    offer.explanation = {}  # an offer whose explanation lacks its facts: the stored text
    assert offer_reason_text(offer) == (offer.reason, "en")
