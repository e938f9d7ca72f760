"""Why a referral waited or ended, said in the reader's language (event_details' codes) on the
timeline, and as a stable code plus English in the exports."""

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.referrals.models import EventKind, Offer, ReferralEvent
from agentmatch.referrals.services import cancel_referral, reject_offer
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


def test_the_timeline_in_spanish_gives_the_reasons_in_spanish(operator_client, plan_year) -> None:
    # The only agent: once they decline, the referral waits; then the consumer cancels.
    agent = make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])
    referral = make_referral(zip_code="53703", language="es")
    first = Offer.objects.get(referral=referral)
    with transaction.atomic():
        reject_offer(offer_id=first.pk, agent=agent, now=timezone.now())
    with transaction.atomic():
        cancel_referral(referral_id=referral.pk, now=timezone.now())
    url = f"/ops/referrals/{referral.public_id}/"

    operator_client.cookies["django_language"] = "es"
    spanish = operator_client.get(url).content.decode()
    assert "solicitud desde el código postal 53703, idioma: español" in spanish
    assert f"oferta 1 a {agent.npn}, posición 1" in spanish
    assert "a todos los agentes calificados y disponibles ya se les ofreció" in spanish
    assert '<span id="end-reason">cancelado por el consumidor</span>' in spanish
    assert "Agente calificado más cercano (a " in spanish and "Closest qualified" not in spanish
    assert "canceled by the consumer" not in spanish and "request from ZIP" not in spanish

    operator_client.cookies["django_language"] = "en"
    english = operator_client.get(url).content.decode()
    assert "request from ZIP code 53703, language: Spanish" in english
    assert '<span id="end-reason">canceled by the consumer</span>' in english


def test_an_event_with_an_unknown_code_or_free_text_shows_its_stored_text(
    operator_client, plan_year
) -> None:
    referral = make_referral(zip_code="53703")
    at = timezone.now()
    ReferralEvent.objects.create(
        referral=referral, kind=EventKind.WAITING, at=at, code="from_a_later_release",
        params={"x": 1}, detail="waiting for a reason this release does not know",
    )  # fmt: skip
    ReferralEvent.objects.create(
        referral=referral, kind=EventKind.WAITING, at=at, detail="typed by support"
    )
    response = operator_client.get(
        f"/ops/referrals/{referral.public_id}/", HTTP_ACCEPT_LANGUAGE="es"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<p class="usa-hint margin-top-05" lang="en">typed by support</p>' in page
    assert "waiting for a reason this release does not know" in page


def test_the_export_gives_why_a_request_ended_as_a_code_and_in_english(
    operator_client, plan_year
) -> None:
    from agentmatch.operations.tests.test_exports import URL, read, today

    canceled = make_referral(zip_code="53703", language="es")
    with transaction.atomic():
        cancel_referral(referral_id=canceled.pk, now=timezone.now())
    operator_client.cookies["django_language"] = "es"
    response = operator_client.post(
        URL, {"kind": "referrals", "date_from": today(), "date_to": today()}
    )
    (row,) = read(response)
    # Machine-readable and stable whatever the operator's language.
    assert (row["end_reason_code"], row["end_reason"]) == (
        "canceled_by_consumer",
        "canceled by the consumer",
    )


def test_a_closer_agent_skipped_at_offer_time_is_explained_in_the_readers_language(
    operator_client, plan_year
) -> None:
    # The closer agent switched off since the routing index last looked: routing checks
    # them at offer time, skips them, and the farther one gets the offer.
    closer = make_agent(zip_code="53703", licensed=["WI"])
    farther = make_agent(zip_code="53590", licensed=["WI"])
    type(closer).objects.filter(pk=closer.pk).update(
        availability_switch="off", availability_changes_at=timezone.now()
    )
    referral = make_referral(zip_code="53703")
    offer = Offer.objects.get(referral=referral)
    assert offer.agent_id == farther.pk
    assert offer.explanation["skipped_codes"] == [["skipped_switched_off", {"npn": closer.npn}]]
    url = f"/ops/referrals/{referral.public_id}/"

    operator_client.cookies["django_language"] = "es"
    spanish = operator_client.get(url).content.decode()
    assert f"<li>{closer.npn} ya no está disponible (desactivado)</li>" in spanish

    operator_client.cookies["django_language"] = "en"
    english = operator_client.get(url).content.decode()
    assert f"<li>{closer.npn} no longer available (switched off)</li>" in english


def test_an_older_offers_english_skipped_note_is_shown_as_english(operator_client, plan_year):
    from agentmatch.referrals.event_details import skipped_texts

    note = "12345 no longer available (switched off (red))"
    assert skipped_texts({"skipped": [note]}) == [(note, "en")]
    assert skipped_texts({"skipped": [note], "skipped_codes": [["made_up", {}]]}) == [(note, "en")]
    assert skipped_texts(None) == []
