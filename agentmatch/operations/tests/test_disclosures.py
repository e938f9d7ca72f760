"""Support answers "who saw my details?": the disclosures page lists which agent was shown
which referral's contact details, by agent, reference and period, newest first, without
showing the consumer's details itself."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from agentmatch.accounts.models import User
from agentmatch.referrals.models import ContactDisclosure, Referral
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")  # the operators' default zone (OPERATOR_TIME_ZONE)


@pytest.fixture
def world(rosa: User) -> dict:  # type: ignore[type-arg]
    sam = make_agent(zip_code="53703", licensed=["WI"], first_name="Sam", npn="7700001")
    lucia = make_referral(first_name="Lucía", last_name="Pérez", phone="+16085550199")
    other = make_referral(first_name="Otto", last_name="Other", phone="+16085550188")

    def shown(referral: Referral, agent, day: int, hour: int, context: str = "view") -> None:  # type: ignore[no-untyped-def]
        ContactDisclosure.objects.create(
            referral=referral,
            agent=agent,
            at=datetime(2026, 11, day, hour, 0, tzinfo=NEW_YORK),
            channel="web",
            context=context,
        )

    shown(lucia, rosa.agent, 20, 9, "accept")
    shown(lucia, rosa.agent, 21, 23, "view")  # late evening in New York: the 22nd in UTC
    shown(lucia, sam, 25, 10, "export")
    shown(other, sam, 26, 10, "view")
    return {"lucia": lucia, "other": other, "rosa": rosa.agent, "sam": sam}


def listed(client: Client, query: str = "") -> list[tuple[str, str]]:
    response = client.get(f"/ops/disclosures/?{query}")
    assert response.status_code == 200
    return [
        (d["disclosure"].agent.npn, d["disclosure"].referral.reference)
        for d in response.context["rows"]
    ]


def test_support_sees_every_disclosure_newest_first(operator_client: Client, world) -> None:  # type: ignore[no-untyped-def]
    lucia, other = world["lucia"].reference, world["other"].reference
    assert listed(operator_client) == [
        ("7700001", other),
        ("7700001", lucia),
        ("00412345", lucia),
        ("00412345", lucia),
    ]
    page = operator_client.get("/ops/disclosures/").content.decode()
    assert f'href="/ops/referrals/{world["lucia"].public_id}/"' in page
    assert 'href="/ops/agents/00412345/"' in page
    assert "Exported their history" in page and "Accepted the referral" in page
    # Reading the page is not a disclosure: no consumer's name or phone on it.
    for detail in ("Lucía", "Pérez", "Otto", "0199", "0188"):
        assert detail not in page


def test_filters_by_agent_reference_and_days(operator_client: Client, world) -> None:  # type: ignore[no-untyped-def]
    lucia = world["lucia"]
    assert len(listed(operator_client, "npn=412345")) == 2  # leading zeros optional
    assert len(listed(operator_client, "npn=7700001")) == 2
    code = lucia.reference.lower().replace("-", "")
    assert {r for _npn, r in listed(operator_client, f"ref={code}")} == {lucia.reference}
    assert len(listed(operator_client, f"ref={lucia.public_id}")) == 3
    # Days are the operator's (New York): the 21st includes 11 p.m. on the 21st.
    assert len(listed(operator_client, "date_from=2026-11-21&date_to=2026-11-21")) == 1
    assert len(listed(operator_client, "date_from=2026-11-22")) == 2
    assert len(listed(operator_client, "npn=7700001&date_to=2026-11-25")) == 1


@pytest.mark.parametrize(
    "query",
    ["npn=abc", "ref=not-a-ref", "date_from=2026-13-01", "date_from=2026-11-22&date_to=2026-11-21"],
)
def test_a_bad_filter_is_named_with_a_400(operator_client: Client, world, query: str) -> None:  # type: ignore[no-untyped-def]
    response = operator_client.get(f"/ops/disclosures/?{query}")
    assert response.status_code == 400
    assert "usa-error-message" in response.content.decode()


def test_the_list_comes_in_pages(operator_client: Client, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from agentmatch.operations import views_disclosures

    monkeypatch.setattr(views_disclosures, "PER_PAGE", 3)
    first = operator_client.get("/ops/disclosures/?npn=412345&page=1")
    assert len(first.context["rows"]) == 2
    page = operator_client.get("/ops/disclosures/").content.decode()
    assert "Page 1 of 2" in page and "page=2" in page
    assert len(listed(operator_client, "page=2")) == 1


def test_agents_get_a_403_and_strangers_the_login(agent_client: Client, world) -> None:  # type: ignore[no-untyped-def]
    assert agent_client.get("/ops/disclosures/").status_code == 403
    response = Client().get("/ops/disclosures/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_operations_page_leads_to_it(operator_client: Client) -> None:
    assert 'href="/ops/disclosures/"' in operator_client.get("/ops/").content.decode()
