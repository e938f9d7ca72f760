"""An agent downloads their own referral history as CSV: the filters of the page, the
contact details of the consumers they accepted (each one an audited disclosure), and
nothing of anyone else's referrals."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.referrals.actions.offers import ACCEPT, REJECT, answer_offer
from agentmatch.referrals.models import ContactDisclosure
from agentmatch.testing import make_agent, make_agent_user, make_referral

URL = "/workspace/history/export.csv"


def read(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:300]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def answer(referral, agent, how):  # type: ignore[no-untyped-def]
    offer = referral.offers.get(agent=agent)
    answer_offer(offer_id=offer.pk, agent=agent, answer=how, now=timezone.now(), channel="web")


@pytest.fixture
def nora_history(agent, far_agent):  # type: ignore[no-untyped-def]
    accepted = make_referral(first_name="Lucía", phone="+16085550121")
    answer(accepted, agent, ACCEPT)
    rejected = make_referral(first_name="Rita", phone="+16085550122")
    answer(rejected, agent, REJECT)  # goes on to Fred, who accepts it
    answer(rejected, far_agent, ACCEPT)
    return {"accepted": accepted, "rejected": rejected}


@pytest.mark.django_db
def test_the_file_holds_the_consumers_the_agent_accepted_and_records_each_disclosure(
    agent_client, agent, nora_history
):
    before = ContactDisclosure.objects.filter(agent=agent).count()
    rows = read(agent_client.get(URL))
    by_outcome = {r["outcome"]: r for r in rows}
    assert by_outcome["accepted"]["first_name"] == "Lucía"
    assert by_outcome["accepted"]["phone"] == "+16085550121"
    assert by_outcome["rejected"]["phone"] == "" and by_outcome["rejected"]["first_name"] == ""
    exported = ContactDisclosure.objects.filter(agent=agent, context="export")
    assert ContactDisclosure.objects.filter(agent=agent).count() == before + 1
    assert exported.get().referral == nora_history["accepted"]


@pytest.mark.django_db
def test_the_pages_filters_apply_to_the_file(agent_client, agent, nora_history):
    rows = read(agent_client.get(URL, {"outcome": "rejected"}))
    assert [r["outcome"] for r in rows] == ["rejected"]
    assert not ContactDisclosure.objects.filter(context="export").exists()


@pytest.mark.django_db
def test_another_agents_referrals_are_not_in_the_file(far_agent, nora_history):
    client = Client()
    client.force_login(make_agent_user(far_agent, username="fred.far"))
    rows = read(client.get(URL))
    assert {r["first_name"] for r in rows} == {"Rita"}


@pytest.mark.django_db
def test_bad_filters_go_back_to_the_page_that_explains_them(agent_client, nora_history):
    response = agent_client.get(URL, {"date_from": "soon"})
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/history/?")
    assert not ContactDisclosure.objects.filter(context="export").exists()


@pytest.mark.django_db
def test_the_history_page_links_the_download_with_its_filters(agent_client, nora_history):
    page = agent_client.get("/workspace/history/", {"outcome": "accepted"}).content.decode()
    assert 'href="/workspace/history/export.csv?outcome=accepted' in page


@pytest.mark.django_db
def test_someone_without_an_agent_profile_gets_no_file(plan_year):
    make_agent(zip_code="53711", licensed=["WI"])
    assert Client().get(URL).status_code == 302
