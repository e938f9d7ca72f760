"""Every door that answers an offer goes through the one action, so one rule, one answer.

The API, the workspace, a one-tap link and a text reply answer the same state with the
same code and words. (That no door holds a transaction of its own is
core/tests/test_doors_are_thin.py.)
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.notifications.twilio_signing import twilio_signature
from agentmatch.referrals.links import ACCEPT, make_token
from agentmatch.referrals.models import ContactDisclosure, Offer, OfferStatus
from agentmatch.referrals.problems import PROBLEMS
from agentmatch.testing import api_token_for, make_agent, make_agent_user, make_referral

TWILIO_TOKEN = "twilio-test-auth-token"
SITE = "https://agentmatch.example"


@pytest.fixture
def agent(plan_year, settings) -> Agent:  # type: ignore[no-untyped-def]
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.SITE_URL = SITE
    settings.TWILIO_WEBHOOK_URL = ""
    return make_agent(zip_code="53703", licensed=["WI"])


def by_api(agent: Agent, offer: Offer) -> tuple[int, str]:
    response = Client().post(
        f"/api/v1/offers/{offer.pk}/accept", HTTP_AUTHORIZATION=f"Bearer {api_token_for(agent)}"
    )
    body = response.json()
    return response.status_code, body["error"]["message"] if "error" in body else ""


def by_workspace(agent: Agent, offer: Offer) -> str:
    from agentmatch.accounts.models import User

    client = Client()
    client.force_login(User.objects.filter(agent=agent).first() or make_agent_user(agent))
    page = client.post(reverse("workspace:accept", args=[offer.pk]), follow=True)
    return page.content.decode()


def by_link(offer: Offer) -> tuple[int, str]:
    response = Client().post(f"/n/o/{make_token(offer=offer, action=ACCEPT)}/")
    return response.status_code, response.content.decode()


def by_text(agent: Agent) -> str:
    params = {"From": agent.cell_phone, "To": "+16085550000", "Body": "YES"}
    signature = twilio_signature(
        url=f"{SITE}/n/sms/inbound", params=params.items(), auth_token=TWILIO_TOKEN
    )
    response = Client().post("/n/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
    return response.content.decode()


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", html.replace("&#x27;", "'"))


@pytest.mark.django_db
def test_an_expired_offer_answers_expired_at_every_door(agent: Agent) -> None:
    # Past its deadline, but the worker has not moved it on yet.
    offer = make_referral(now=timezone.now() - timedelta(minutes=16)).offers.get()
    words = str(PROBLEMS["expired"])
    assert by_api(agent, offer) == (409, words)
    assert words in plain(by_workspace(agent, offer))
    status, page = by_link(offer)
    assert status == 409 and words in plain(page)
    assert words in plain(by_text(agent))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()


@pytest.mark.django_db
def test_another_agents_offer_is_not_found_at_every_door(agent: Agent) -> None:
    offer = make_referral().offers.get()
    other = make_agent(zip_code="53202", licensed=["WI"], first_name="Olga")
    words = str(PROBLEMS["not_found"])
    assert by_api(other, offer) == (404, words)
    assert words in plain(by_workspace(other, offer))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    assert not ContactDisclosure.objects.exists()


@pytest.mark.django_db
def test_each_door_records_its_channel_on_the_disclosure(agent: Agent, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_PENDING_OFFERS_PER_AGENT = 1
    doors = {
        "api": lambda o: by_api(agent, o),
        "web": lambda o: by_workspace(agent, o),
        "link": lambda o: by_link(o),
        "sms": lambda o: by_text(agent),
    }
    for channel, door in doors.items():
        offer = make_referral().offers.get(agent=agent, status=OfferStatus.PENDING)
        door(offer)
        offer.refresh_from_db()
        assert offer.status == OfferStatus.ACCEPTED, channel
        disclosure = ContactDisclosure.objects.get(referral=offer.referral, context="accept")
        assert (disclosure.agent_id, disclosure.channel) == (agent.pk, channel)
