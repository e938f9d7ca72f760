from django.db import transaction
from django.utils import timezone

from agentmatch.planyears.services import served_states
from agentmatch.referrals.intake import validate_contact_request
from agentmatch.referrals.services import create_referral
from agentmatch.testing import make_agent


def test_closest_agent_gets_first_offer(plan_year):
    far = make_agent(zip_code="54601", licensed=["WI"])  # La Crosse
    near = make_agent(zip_code="53711", licensed=["WI"])  # Madison
    req = validate_contact_request(
        plan_year=plan_year,
        served_states=served_states(plan_year),
        first_name="Ana",
        last_name="Diaz",
        phone="608-555-0100",
        email="",
        zip_code="53703",
        language="en",
        consent=True,
    )
    with transaction.atomic():
        referral, _token = create_referral(request=req, plan_year=2026, now=timezone.now())
    offer = referral.offers.get()
    assert offer.agent == near
    assert far != near
    assert "Closest" in offer.reason
