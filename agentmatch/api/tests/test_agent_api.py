"""The agent API: pending offers without contact details, accept, reject, settings."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.notifications.undeliverable import mark
from agentmatch.referrals.models import ContactDisclosure, Offer
from agentmatch.testing import api_token_for, make_agent, make_referral

pytestmark = pytest.mark.django_db


class AgentClient:
    def __init__(self, client: Client, token: str) -> None:
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str):  # type: ignore[no-untyped-def]
        return self.client.get(url, **self.auth)

    def post(self, url: str):  # type: ignore[no-untyped-def]
        return self.client.post(url, **self.auth)

    def put(self, url: str, body: dict):  # type: ignore[no-untyped-def]
        return self.client.put(url, body, content_type="application/json", **self.auth)


@pytest.fixture
def rosa(plan_year, client):
    agent = make_agent(zip_code="53711", licensed=["WI", "IA"], languages=["en", "es"])
    return agent, AgentClient(client, api_token_for(agent))


@pytest.fixture
def ben(plan_year, client):
    agent = make_agent(zip_code="53202", licensed=["WI"])
    return agent, AgentClient(client, api_token_for(agent))


def test_pending_offers_show_place_and_time_left_but_never_contact_details(rosa):
    _agent, api = rosa
    make_referral(first_name="Secretname")
    response = api.get("/api/v1/agent/offers")
    assert response.status_code == 200
    [offer] = response.json()
    assert offer["zip"] == "53703" and offer["city"] == "Madison" and offer["state"] == "WI"
    assert 0 < offer["seconds_left"] <= 900
    text = response.content.decode()
    assert "Secretname" not in text and "5550100" not in text and "consumer@" not in text


def test_accept_returns_contact_details_and_audits_the_view(rosa):
    agent, api = rosa
    offer = make_referral(first_name="Lucia").offers.get()
    response = api.post(f"/api/v1/offers/{offer.pk}/accept")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Lucia"
    assert response.json()["phone"] == "+16085550100"
    # The consumer's reference, so the agent and the consumer speak of the same request.
    assert response.json()["reference"] == offer.referral.reference
    disclosure = ContactDisclosure.objects.get()
    assert (disclosure.agent, disclosure.context) == (agent, "accept")


def test_someone_elses_offer_is_404_like_an_unknown_one_and_a_closed_one_409(rosa, ben):
    _rosa, rosa_api = rosa
    _ben, ben_api = ben
    offer = make_referral().offers.get()  # to Rosa, the closest
    theirs = ben_api.post(f"/api/v1/offers/{offer.pk}/accept")
    unknown = ben_api.post(f"/api/v1/offers/{offer.pk + 1000}/accept")
    # Same status, same body: the answer does not tell which offer ids exist.
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    assert theirs.json()["error"]["code"] == "not_found"
    assert rosa_api.post(f"/api/v1/offers/{offer.pk}/reject").status_code == 200
    again = rosa_api.post(f"/api/v1/offers/{offer.pk}/accept")
    assert again.status_code == 409 and again.json()["error"]["code"] == "rejected"
    # The reject moved it on to Ben at once.
    assert ben_api.get("/api/v1/agent/offers").json()[0]["zip"] == "53703"


def test_unknown_and_foreign_offers_are_404_on_accept_and_reject_alike(rosa, ben):
    _rosa, _rosa_api = rosa
    _ben, ben_api = ben
    offer = make_referral().offers.get()  # to Rosa
    bodies = set()
    for offer_id in (offer.pk, offer.pk + 1000, 0, 2**63, 10**30):
        for action in ("accept", "reject"):
            response = ben_api.post(f"/api/v1/offers/{offer_id}/{action}")
            assert response.status_code == 404, (offer_id, action, response.content)
            bodies.add(response.content)
    assert len(bodies) == 1
    assert Offer.objects.get(pk=offer.pk).status == "pending"


def test_offer_operations_document_their_404_and_409(client):
    schema = client.get("/api/v1/openapi.json").json()
    for action in ("accept", "reject"):
        responses = schema["paths"][f"/api/v1/offers/{{offer_id}}/{action}"]["post"]["responses"]
        assert {"200", "404", "409"} <= set(responses)


def test_expired_offer_cannot_be_accepted(rosa):
    _agent, api = rosa
    offer = make_referral(now=timezone.now() - timedelta(minutes=16)).offers.get()
    response = api.post(f"/api/v1/offers/{offer.pk}/accept")
    assert response.status_code == 409 and response.json()["error"]["code"] == "expired"
    assert Offer.objects.get(pk=offer.pk).status == "pending"  # the worker moves it on


def test_agent_api_needs_a_valid_token(client, plan_year):
    assert client.get("/api/v1/agent/offers").status_code == 401
    bad = client.get("/api/v1/agent/offers", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and "token" in bad.json()["error"]["message"]


def test_switching_on_offers_the_waiting_referral_at_once(plan_year, client):
    agent = make_agent(zip_code="53711", licensed=["WI"], switch="off")
    api = AgentClient(client, api_token_for(agent))
    referral = make_referral()
    assert referral.status == "waiting"
    response = api.put("/api/v1/agent/availability", {"switch": "on"})
    assert response.status_code == 200 and response.json()["is_available"] is True
    referral.refresh_from_db()
    assert referral.status == "offered"


def test_weekly_hours_and_absences_are_validated(rosa):
    agent, api = rosa

    def day(offset: int) -> str:
        return (timezone.now().astimezone(agent.zone).date() + timedelta(days=offset)).isoformat()

    ok = api.put(
        "/api/v1/agent/availability",
        {
            "switch": "schedule",
            "weekly_hours": [{"weekday": 0, "start": "09:00", "end": "17:00"}],
            "absences": [{"first_day": day(1), "last_day": day(3), "note": "Holiday"}],
        },
    )
    assert ok.status_code == 200, ok.content
    bad_day = api.put(
        "/api/v1/agent/availability",
        {"weekly_hours": [{"weekday": 9, "start": "09:00", "end": "17:00"}]},
    )
    assert bad_day.status_code == 422 and "weekday" in bad_day.json()["error"]["field"]
    backwards = api.put(
        "/api/v1/agent/availability",
        {"absences": [{"first_day": day(3), "last_day": day(1)}]},
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "absences.0.last_day"
    bad_switch = api.put("/api/v1/agent/availability", {"switch": "maybe"})
    assert bad_switch.status_code == 422


def test_state_preferences_only_within_eligible_states(rosa):
    _agent, api = rosa
    outside = api.put("/api/v1/agent/preferences", {"states": ["WI", "TX"]})
    assert outside.status_code == 422
    assert "TX" in outside.json()["error"]["message"]
    narrowed = api.put("/api/v1/agent/preferences", {"states": ["IA"], "languages": ["en"]})
    assert narrowed.status_code == 200, narrowed.content
    body = narrowed.json()
    assert body["eligible_states"] == ["IA", "WI"]
    assert body["selected_states"] == ["IA"] and body["routing_states"] == ["IA"]
    assert body["languages"] == ["en"]
    assert make_referral().status == "waiting"  # WI deselected: no WI referrals
    bad_language = api.put("/api/v1/agent/preferences", {"languages": ["xx"]})
    assert bad_language.status_code == 422 and bad_language.json()["error"]["field"] == "languages"


def test_the_profile_says_when_texts_do_not_reach_the_agent(rosa):
    agent, api = rosa
    assert api.get("/api/v1/agent/profile").json()["texts_not_delivered"] is None
    mark(phone=agent.cell_phone, code=30005, now=timezone.now())
    reason = api.get("/api/v1/agent/profile").json()["texts_not_delivered"]
    assert "30005" in reason
