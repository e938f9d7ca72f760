"""Support finds a referral by the reference the consumer reads out: in any case, with or
without the dash; the internal id still works; anything else says no referral has it."""

import pytest

from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(plan_year):  # type: ignore[no-untyped-def]
    make_agent(zip_code="53703", licensed=["WI"])
    return make_referral()


def typed_forms(reference: str) -> list[str]:
    return [reference, reference.lower(), reference.replace("-", ""), f" {reference} "]


def test_the_reference_as_a_consumer_reads_it_opens_the_timeline(operator_client, referral):
    for typed in [*typed_forms(referral.reference), str(referral.public_id)]:
        response = operator_client.get("/ops/referrals/", {"ref": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == f"/ops/referrals/{referral.public_id}/"


def test_the_timeline_shows_the_reference_and_keeps_the_internal_id_apart(
    operator_client, referral
):
    page = operator_client.get(f"/ops/referrals/{referral.public_id}/").content.decode()
    assert f'<dd class="text-mono" id="reference">{referral.reference}</dd>' in page
    assert "Internal id" in page


def test_a_reference_nobody_has_says_so(operator_client, referral):
    other = "K7QF-3M9D" if referral.reference != "K7QF-3M9D" else "K7QF-3M9E"
    for typed in [other, "not a number"]:
        response = operator_client.get("/ops/referrals/", {"ref": typed}, follow=True)
        assert f"No referral has the number “{typed}”." in response.content.decode()
