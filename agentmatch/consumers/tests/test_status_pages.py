"""The secret status link, the status page and its live part, and cancel."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agentmatch.consumers.tests.helpers import submit
from agentmatch.planyears.services import current_plan_year, served_states
from agentmatch.referrals.intake import validate_contact_request
from agentmatch.referrals.models import Referral
from agentmatch.referrals.services import accept_offer, create_referral, end_unmatched
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(plan_year):
    return make_agent(
        zip_code="53711",
        licensed=["WI"],
        languages=["en", "es"],
        first_name="Rosa",
        last_name="Vega",
    )


def _referral_with_token(now=None) -> tuple[Referral, str]:  # type: ignore[no-untyped-def]
    plan_year = current_plan_year()
    request = validate_contact_request(
        plan_year=plan_year,
        served_states=served_states(plan_year),
        first_name="Ana",
        last_name="Diaz",
        phone="608-555-0199",
        email="",
        zip_code="53703",
        language="es",
        consent=True,
        channel="web",
    )
    with transaction.atomic():
        return create_referral(request=request, plan_year=plan_year.year, now=now or timezone.now())


def _link(referral: Referral, token: str) -> str:
    return reverse("consumers:status_link", args=[referral.public_id, token])


def _status(referral: Referral) -> str:
    return reverse("consumers:status", args=[referral.public_id])


def _live(referral: Referral, shown: str = "") -> str:
    return reverse("consumers:status_partial", args=[referral.public_id]) + f"?shown={shown}"


def test_the_link_is_traded_for_the_session_and_leaves_the_url(client, agent):
    referral, token = _referral_with_token()
    assert client.get(_status(referral)).status_code == 404
    response = client.get(_link(referral, token))
    assert response.status_code == 302
    assert response["Location"] == _status(referral)
    assert token not in response["Location"]
    page = client.get(_status(referral))
    assert page.status_code == 200
    assert referral.reference in page.content.decode()
    assert token not in page.content.decode()


def test_a_wrong_token_gets_a_friendly_page(client, agent):
    referral, token = _referral_with_token()
    for link in (
        _link(referral, "wrong"),
        _link(referral, token[:-1]),
        reverse("consumers:status_link", args=["00000000-0000-0000-0000-000000000000", token]),
        f"/status/{referral.public_id}/{token}x/",
    ):
        response = client.get(link)
        assert response.status_code == 404, link
        assert "This link does not work" in response.content.decode()
    assert client.get(_status(referral)).status_code == 404


def test_an_expired_token_gets_the_same_friendly_page(client, agent, settings):
    settings.STATUS_TOKEN_DAYS = 30
    referral, token = _referral_with_token(now=timezone.now() - timedelta(days=31))
    response = client.get(_link(referral, token), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert "Este enlace no funciona" in response.content.decode()


def test_the_session_grant_ends_with_the_link_validity(client, agent, settings):
    referral, token = _referral_with_token()
    client.get(_link(referral, token))
    Referral.objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - timedelta(days=settings.STATUS_TOKEN_DAYS + 1)
    )
    assert client.get(_status(referral)).status_code == 404


def test_the_live_part_for_each_state(client, agent):
    referral, token = _referral_with_token()
    client.get(_link(referral, token))

    waiting = client.get(_live(referral)).content.decode()
    assert "We are finding an agent for you" in waiting
    assert 'hx-trigger="every 5s"' in waiting and "?shown=open" in waiting
    assert reverse("consumers:cancel", args=[referral.public_id]) in waiting
    # Nothing changed: nothing to swap, nothing re-announced.
    assert client.get(_live(referral, "open")).status_code == 204

    offer = referral.offers.get()
    with transaction.atomic():
        accept_offer(offer_id=offer.pk, agent=agent, now=timezone.now())
    accepted = client.get(_live(referral, "open")).content.decode()
    assert "An agent accepted your request" in accepted
    assert "Rosa Vega" in accepted and agent.npn in accepted
    assert agent.cell_phone in accepted  # the tel: link
    assert "ending in 0199" in accepted
    assert "hx-trigger" not in accepted  # ended: the page stops asking
    assert "Cancel my request" not in accepted


def test_the_live_part_when_nobody_was_available(client, agent):
    referral, token = _referral_with_token()
    client.get(_link(referral, token))
    with transaction.atomic():
        end_unmatched(referral=referral, now=timezone.now(), reason="test")
    page = client.get(_live(referral, "open")).content.decode()
    assert "No agent is available right now" in page
    assert "1-800-318-2596" in page and "LocalHelp.HealthCare.gov" in page
    assert "hx-trigger" not in page


def test_the_live_part_without_the_session_stops_politely(agent):
    referral, _token = _referral_with_token()
    response = Client().get(_live(referral, "open"))
    assert response.status_code == 200
    assert "stopped updating" in response.content.decode()
    assert "hx-trigger" not in response.content.decode()


def test_the_status_page_has_a_polite_live_region(client, agent, settings):
    settings.CONSUMER_STATUS_POLL_SECONDS = 3
    referral, token = _referral_with_token()
    client.get(_link(referral, token))
    page = client.get(_status(referral)).content.decode()
    assert '<div id="status-region" aria-live="polite">' in page
    assert 'hx-trigger="every 3s"' in page


def test_cancel_asks_first_then_cancels(client, agent):
    submit(client)
    referral = Referral.objects.get()
    cancel_url = reverse("consumers:cancel", args=[referral.public_id])
    confirm = client.get(cancel_url)
    assert confirm.status_code == 200
    assert "Yes, cancel my request" in confirm.content.decode()
    referral.refresh_from_db()
    assert referral.status == "offered"

    response = client.post(cancel_url)
    assert response.status_code == 302 and response["Location"] == _status(referral)
    referral.refresh_from_db()
    assert referral.status == "canceled"
    assert referral.offers.get().status == "canceled"
    page = client.get(_status(referral)).content.decode()
    assert "You canceled this request" in page and "No agent will contact you" in page

    # Twice is harmless; a stranger cannot cancel.
    again = client.post(cancel_url, follow=True)
    assert "already ended" in again.content.decode()
    assert Client().post(cancel_url).status_code == 404


def test_a_stranger_cannot_cancel_or_see(agent):
    referral, _token = _referral_with_token()
    stranger = Client()
    assert stranger.post(reverse("consumers:cancel", args=[referral.public_id])).status_code == 404
    assert (
        stranger.get(reverse("consumers:confirmation", args=[referral.public_id])).status_code
        == 404
    )
    referral.refresh_from_db()
    assert referral.status == "offered"
