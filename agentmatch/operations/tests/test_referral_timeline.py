"""The referral timeline shows every event and offer, and the consumer only masked."""

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.referrals.models import Offer
from agentmatch.referrals.services import reject_offer
from agentmatch.testing import make_agent, make_referral, phone_forms

pytestmark = pytest.mark.django_db


def test_every_event_and_offer_is_listed(operator_client, rosa, plan_year) -> None:
    second = make_agent(zip_code="53590", licensed=["WI"], first_name="Sam", last_name="Next")
    referral = make_referral(zip_code="53703", first_name="Ana", last_name="Consumer")
    first = Offer.objects.get(referral=referral)
    with transaction.atomic():
        reject_offer(offer_id=first.pk, agent=rosa.agent, now=timezone.now())
    response = operator_client.get(f"/ops/referrals/{referral.public_id}/")
    page = response.content.decode()
    assert [o.agent for o in response.context["offers"]] == [rosa.agent, second]
    assert [e.kind for e in response.context["events"]] == [
        "created",
        "offered",
        "rejected",
        "offered",
    ]
    assert "Rosa Martinez" in page and "Sam Next" in page
    assert first.reason.split("(")[0] in page
    assert f"/ops/agents/{second.npn}/" in page


def test_consumer_contact_details_are_masked(operator_client, rosa) -> None:
    referral = make_referral(zip_code="53703", first_name="Anastasia", last_name="Quintero")
    page = operator_client.get(f"/ops/referrals/{referral.public_id}/").content.decode()
    # The referral number is random and may contain the phone's digits: look past it.
    page = page.replace(str(referral.public_id), "<referral number>")
    assert "Anastasia" not in page and "Quintero" not in page
    assert "consumer@example.com" not in page
    assert not [form for form in phone_forms(referral.phone) if form in page]
    assert "A. Q." in page
    assert "•••-•••-••00" in page
    assert "c•••@example.com" in page
    assert referral.city in page and referral.zip_code in page
