from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


def test_explain_referral_shows_each_offer_and_why_without_contact_details(plan_year):
    make_agent(zip_code="53711", licensed=["WI"], first_name="Nora", last_name="Near")
    referral = make_referral(first_name="Privatename")
    out = StringIO()
    call_command("explain_referral", str(referral.public_id), stdout=out)
    text = out.getvalue()
    assert "offered" in text and "Nora Near" in text
    assert "why: Closest qualified agent" in text
    # The consumer's name, phone (+16085550100) and email never appear.
    assert "Privatename" not in text
    assert "5550100" not in text and "consumer@example.com" not in text


def test_explain_referral_rejects_unknown_ids(db):
    with pytest.raises(CommandError, match="not a referral's reference code"):
        call_command("explain_referral", "nope")
    with pytest.raises(CommandError, match="No referral"):
        call_command("explain_referral", "00000000-0000-0000-0000-000000000000")


def test_explain_referral_finds_the_referral_by_the_reference_the_consumer_reads_out(plan_year):
    make_agent(zip_code="53711", licensed=["WI"])
    referral = make_referral()
    out = StringIO()
    call_command("explain_referral", referral.reference.lower(), stdout=out)
    assert f"Referral {referral.reference} ({referral.public_id})" in out.getvalue()
