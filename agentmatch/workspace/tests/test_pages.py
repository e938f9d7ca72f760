"""Manage Referrals pages: offers, accept/reject, contact details (audited), follow-up, history."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agentmatch.referrals.models import ContactDisclosure, Offer, OfferStatus
from agentmatch.referrals.services import accept_offer, reject_offer
from agentmatch.testing import make_agent_user, make_operator, make_referral, phone_forms
from agentmatch.workspace.models import FollowUp

pytestmark = pytest.mark.django_db
HOME = reverse("workspace:referrals")


def accept(referral, agent, now=None):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return accept_offer(
            offer_id=referral.offers.get(agent=agent).pk, agent=agent, now=now or timezone.now()
        )


def lapse(offer: Offer) -> None:
    """The offer's window ended a moment ago (the worker has not expired it yet)."""
    now = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(
        offered_at=now - timedelta(minutes=16), expires_at=now - timedelta(seconds=1)
    )


def test_agents_land_on_manage_referrals_after_login(agent):
    make_agent_user(agent, username="nora")
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "nora", "password": "Tr7#kPz!wQ2m"}, follow=True
    )
    assert response.redirect_chain[-1][0] == HOME
    assert "Manage Referrals" in response.content.decode()


def test_anonymous_visitors_go_to_login_and_polls_redirect_the_page(db):
    client = Client()
    assert reverse("accounts:login") in client.get(HOME).url
    poll = client.get(reverse("workspace:offers"), headers={"HX-Request": "true"})
    assert poll.status_code == 204
    assert poll["HX-Redirect"] == reverse("accounts:login")


def test_accounts_without_an_agent_get_a_clear_page(db):
    client = Client()
    client.force_login(make_operator())
    response = client.get(HOME)
    assert response.status_code == 200
    assert "not linked to an agent" in response.content.decode()


def test_a_pending_offer_shows_zip_city_language_and_deadline_but_no_contact(agent, agent_client):
    referral = make_referral(first_name="Rosa", last_name="Secret", language="en")
    offer = referral.offers.get()
    page = agent_client.get(HOME).content.decode()
    assert "53703" in page and "Madison" in page
    # The deadline as an ISO datetime, counted down in the browser.
    deadline = re.search(r'data-deadline="([^"]+)"', page)
    assert deadline is not None
    shown = datetime.fromisoformat(deadline.group(1))
    assert shown == offer.expires_at
    assert "Secret" not in page and "consumer@example.com" not in page
    assert not [form for form in phone_forms(referral.phone) if form in page]
    assert reverse("workspace:accept", args=[offer.pk]) in page
    assert not ContactDisclosure.objects.exists()


def test_the_offers_poll_answers_204_while_nothing_changed(agent, agent_client):
    url = reverse("workspace:offers")
    empty = agent_client.get(url)
    assert empty.status_code == 200 and "?shown=0" in empty.content.decode()
    assert agent_client.get(url + "?shown=0").status_code == 204
    referral = make_referral()
    offer = referral.offers.get()
    changed = agent_client.get(url + "?shown=0")
    assert changed.status_code == 200
    assert changed["HX-Trigger"] == "workspace-offers-changed"
    assert f"?shown={offer.pk}" in changed.content.decode()
    assert agent_client.get(url + f"?shown={offer.pk}").status_code == 204


def test_a_lapsed_offer_disappears_before_the_worker_runs(agent, agent_client):
    referral = make_referral()
    offer = referral.offers.get()
    lapse(offer)
    page = agent_client.get(reverse("workspace:offers") + f"?shown={offer.pk}")
    assert page.status_code == 200
    assert reverse("workspace:accept", args=[offer.pk]) not in page.content.decode()


def test_pending_count_partial(agent, agent_client):
    url = reverse("workspace:pending_count")
    assert "0 referrals waiting" in agent_client.get(url).content.decode()
    make_referral()
    assert "1 referral waiting" in agent_client.get(url + "?shown=0").content.decode()
    assert agent_client.get(url + "?shown=1").status_code == 204
    # The header bar on every page shows it too.
    assert "1 referral waiting" in agent_client.get(HOME).content.decode()


def test_accept_shows_the_contact_details_and_audits_each_view(agent, agent_client):
    referral = make_referral(first_name="Rosa", last_name="Ruiz")
    offer = referral.offers.get()
    response = agent_client.post(reverse("workspace:accept", args=[offer.pk]), follow=True)
    page = response.content.decode()
    detail = reverse("workspace:referral", args=[referral.public_id])
    assert response.redirect_chain[-1][0] == detail
    assert "Rosa Ruiz" in page and "(608) 555-0100" in page and "consumer@example.com" in page
    # The reference the consumer was given, so both speak of the same request.
    assert f'<dd translate="no">{referral.reference}</dd>' in page
    contexts = list(ContactDisclosure.objects.order_by("pk").values_list("context", "channel"))
    assert contexts == [("accept", "web"), ("view", "web")]
    agent_client.get(reverse("workspace:referral", args=[referral.public_id]))
    home = agent_client.get(HOME).content.decode()
    assert "Rosa Ruiz" in home
    assert ContactDisclosure.objects.filter(context="view", agent=agent).count() == 3


def test_accept_conflicts_are_messages_not_errors(agent, far_agent, agent_client):
    referral = make_referral()
    offer = referral.offers.get()
    lapse(offer)
    response = agent_client.post(reverse("workspace:accept", args=[offer.pk]), follow=True)
    assert response.status_code == 200
    assert "expired and has moved to another agent" in response.content.decode()
    for offer_id in (999999, 10**30):
        for action in ("workspace:accept", "workspace:reject"):
            missing = agent_client.post(reverse(action, args=[offer_id]), follow=True)
            assert "does not exist" in missing.content.decode()


def test_accepting_twice_goes_to_the_referral(agent, agent_client):
    referral = make_referral()
    offer = accept(referral, agent)
    response = agent_client.post(reverse("workspace:accept", args=[offer.pk]))
    assert response.url == reverse("workspace:referral", args=[referral.public_id])


def test_another_agents_offer_cannot_be_taken_or_seen(agent, far_agent):
    referral = make_referral()
    offer = referral.offers.get()
    assert offer.agent == agent
    other = Client()
    other.force_login(make_agent_user(far_agent))
    response = other.post(reverse("workspace:accept", args=[offer.pk]), follow=True)
    # The same words as for an offer that does not exist: ids reveal nothing.
    assert "does not exist or was not made to you" in response.content.decode()
    accept(referral, agent)
    assert other.get(reverse("workspace:referral", args=[referral.public_id])).status_code == 404
    assert not ContactDisclosure.objects.filter(agent=far_agent).exists()


def test_reject_moves_the_referral_on(agent, far_agent, agent_client):
    referral = make_referral()
    offer = referral.offers.get()
    response = agent_client.post(reverse("workspace:reject", args=[offer.pk]), follow=True)
    assert "moved to another agent" in response.content.decode()
    assert referral.offers.get(agent=far_agent).status == OfferStatus.PENDING
    again = agent_client.post(reverse("workspace:reject", args=[offer.pk]), follow=True)
    assert "already rejected" in again.content.decode()
    assert agent_client.get(reverse("workspace:reject", args=[offer.pk])).status_code == 405


def test_follow_up_errors_are_tied_to_their_fields(agent, agent_client):
    referral = make_referral()
    accept(referral, agent)
    url = reverse("workspace:referral", args=[referral.public_id])
    page = agent_client.post(url, {"status": "enrolled", "application_id": ""}).content.decode()
    assert 'id="id_application_id-error"' in page
    assert 'aria-describedby="id_application_id-hint id_application_id-error"' in page
    assert 'aria-invalid="true"' in page and 'href="#id_application_id"' in page
    page = agent_client.post(url, {"status": "could_not_reach"}).content.decode()
    assert 'id="id_reason-error"' in page
    page = agent_client.post(url, {}).content.decode()
    assert 'id="id_status-error"' in page and 'href="#id_status_0"' in page
    assert not FollowUp.objects.exists()
    done = agent_client.post(url, {"status": "enrolled", "application_id": "APP-123"}, follow=True)
    assert "The follow-up status was saved." in done.content.decode()
    assert FollowUp.objects.get().application_id == "APP-123"
    # Enrolled is finished work: the referral leaves the accepted list, stays in history.
    assert referral.first_name not in agent_client.get(HOME).content.decode()


def test_reminder_alert_after_sixty_minutes_without_follow_up(agent, agent_client):
    referral = make_referral()
    accept(referral, agent, now=timezone.now() - timedelta(minutes=61))
    assert "Not contacted yet" in agent_client.get(HOME).content.decode()
    url = reverse("workspace:referral", args=[referral.public_id])
    assert "Not contacted yet" in agent_client.get(url).content.decode()
    agent_client.post(url, {"status": "contacted"})
    assert "Not contacted yet" not in agent_client.get(HOME).content.decode()


def test_no_reminder_alert_before_sixty_minutes(agent, agent_client):
    referral = make_referral()
    accept(referral, agent, now=timezone.now() - timedelta(minutes=59))
    assert "Not contacted yet" not in agent_client.get(HOME).content.decode()


def test_history_filters_and_pages(agent, far_agent, agent_client):
    now = timezone.now()
    accepted = make_referral(zip_code="53703")
    accept(accepted, agent)
    rejected = make_referral()
    with transaction.atomic():
        reject_offer(offer_id=rejected.offers.get(agent=agent).pk, agent=agent, now=now)
    url = reverse("workspace:history")
    page = agent_client.get(url).content.decode()
    assert "2 referrals" in page and "Accepted" in page and "Rejected" in page
    page = agent_client.get(url, {"outcome": "rejected"}).content.decode()
    assert "1 referral<" in page and "Rejected" in page
    page = agent_client.get(url, {"follow_up": "none", "outcome": "accepted"}).content.decode()
    assert "1 referral<" in page
    page = agent_client.get(url, {"follow_up": "enrolled"}).content.decode()
    assert "0 referrals" in page
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    assert "0 referrals" in agent_client.get(url, {"date_from": tomorrow}).content.decode()
    assert "2 referrals" in agent_client.get(url, {"date_to": tomorrow}).content.decode()
    bad = agent_client.get(url, {"date_from": "31/02/2026x", "date_to": "2026-01-01"})
    assert bad.status_code == 200
    assert 'id="id_date_from-error"' in bad.content.decode()
    far_off = agent_client.get(url, {"date_to": "9999-12-31"}).content.decode()
    assert "Enter a date between 2015-01-01 and 2099-12-31." in far_off
    backwards = agent_client.get(url, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "on or after the start date" in backwards.content.decode()
    # No consumer names in history.
    assert accepted.first_name not in agent_client.get(url).content.decode()


def test_history_paginates(agent, agent_client):
    now = timezone.now()
    for i in range(21):
        referral = make_referral(now=now + timedelta(seconds=i))
        with transaction.atomic():
            reject_offer(offer_id=referral.offers.get(agent=agent).pk, agent=agent, now=now)
    url = reverse("workspace:history")
    first = agent_client.get(url, {"outcome": "rejected"}).content.decode()
    assert "21 referrals" in first and "?outcome=rejected&amp;page=2" in first
    second = agent_client.get(url, {"outcome": "rejected", "page": 2}).content.decode()
    assert second.count('<th scope="row"') == 1
    assert agent_client.get(url, {"page": "zzz"}).status_code == 200


def test_spanish_pages(agent, agent_client):
    make_referral(language="en")
    page = agent_client.get(HOME, headers={"accept-language": "es"}).content.decode()
    assert "Administrar referidos" in page
    assert "Inglés" in page and "Quedan" in page and "1 referido espera su respuesta" in page
