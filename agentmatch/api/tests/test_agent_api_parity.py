"""The agent app can do what the workspace pages do, through the same actions."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agentmatch.accounts.models import User
from agentmatch.agents.models import AgentChange
from agentmatch.referrals.models import ContactDisclosure, Offer, Referral
from agentmatch.testing import api_token_for, make_agent, make_referral
from agentmatch.workspace.models import FollowUp

pytestmark = pytest.mark.django_db
API = "/api/v1"


class AgentClient:
    def __init__(self, client: Client, token: str) -> None:
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, url: str, data: dict | None = None, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.get(API + url, data, **self.auth, **headers)

    def post(self, url: str, body: dict | None = None, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            API + url, body or {}, content_type="application/json", **self.auth, **headers
        )

    def put(self, url: str, body: dict, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.put(
            API + url, body, content_type="application/json", **self.auth, **headers
        )

    def delete(self, url: str):  # type: ignore[no-untyped-def]
        return self.client.delete(API + url, **self.auth)


@pytest.fixture
def rosa(plan_year):  # type: ignore[no-untyped-def]
    """Rosa, in Madison: the closest agent to the consumers' 53703."""
    agent = make_agent(zip_code="53711", licensed=["WI", "IA"], languages=["en", "es"])
    return agent, AgentClient(Client(), api_token_for(agent))


@pytest.fixture
def ben(plan_year):  # type: ignore[no-untyped-def]
    """Ben, in Milwaukee: second in line."""
    agent = make_agent(zip_code="53202", licensed=["WI"])
    return agent, AgentClient(Client(), api_token_for(agent))


def accepted_by(api: AgentClient, **referral_options):  # type: ignore[no-untyped-def]
    referral = make_referral(**referral_options)
    offer = referral.offers.get()
    assert api.post(f"/offers/{offer.pk}/accept").status_code == 200
    return referral


def views_by(agent) -> int:  # type: ignore[no-untyped-def]
    return ContactDisclosure.objects.filter(agent=agent, context="view", channel="api").count()


# --- Accepted referrals ------------------------------------------------------------------


def test_accepted_referrals_list_the_consumers_and_each_listing_is_one_audited_view(rosa):
    agent, api = rosa
    referral = accepted_by(api, first_name="Lucia")
    response = api.get("/agent/referrals")
    assert response.status_code == 200
    [item] = response.json()
    assert item["referral_id"] == str(referral.public_id)
    assert item["consumer"]["first_name"] == "Lucia"
    assert item["consumer"]["phone"] == referral.phone
    assert item["follow_up"] is None and item["needs_reminder"] is False
    assert views_by(agent) == 1
    api.get("/agent/referrals")
    assert views_by(agent) == 2


def test_a_pending_offer_is_not_an_accepted_referral_and_shows_no_consumer(rosa):
    _agent, api = rosa
    referral = make_referral(first_name="Secretname")
    assert api.get("/agent/referrals").json() == []
    detail = api.get(f"/agent/referrals/{referral.public_id}")
    assert detail.status_code == 404 and detail.json()["error"]["code"] == "not_found"
    assert "Secretname" not in detail.content.decode()
    assert not ContactDisclosure.objects.exists()


def test_referral_detail_shows_the_consumer_and_audits_one_view_per_answer(rosa):
    agent, api = rosa
    referral = accepted_by(api, first_name="Lucia")
    response = api.get(f"/agent/referrals/{referral.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["consumer"]["first_name"] == "Lucia" and body["reference"] == referral.reference
    assert body["details_removed"] is False and body["follow_ups"] == []
    assert views_by(agent) == 1
    api.get(f"/agent/referrals/{referral.public_id}")
    assert views_by(agent) == 2


def test_someone_elses_referral_is_404_exactly_like_an_unknown_one(rosa, ben):
    _rosa, rosa_api = rosa
    ben_agent, ben_api = ben
    referral = accepted_by(rosa_api)
    theirs = ben_api.get(f"/agent/referrals/{referral.public_id}")
    unknown = ben_api.get(f"/agent/referrals/{uuid.uuid4()}")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.content == unknown.content
    follow_up = ben_api.post(
        f"/agent/referrals/{referral.public_id}/follow-ups", {"status": "contacted"}
    )
    assert follow_up.status_code == 404 and follow_up.content == unknown.content
    assert not ContactDisclosure.objects.filter(agent=ben_agent).exists()
    assert not FollowUp.objects.exists()


def test_a_referral_whose_details_were_removed_shows_no_consumer_and_takes_no_follow_up(rosa):
    agent, api = rosa
    referral = accepted_by(api)
    # What the retention job leaves of it.
    Referral.objects.filter(pk=referral.pk).update(
        **dict.fromkeys(["first_name", "last_name", "phone", "email", "zip_code", "city"], ""),
        latitude=None,
        longitude=None,
        anonymised_at=timezone.now(),
    )
    body = api.get(f"/agent/referrals/{referral.public_id}").json()
    assert body["details_removed"] is True and body["consumer"] is None
    assert views_by(agent) == 0  # nothing shown, nothing recorded
    refused = api.post(f"/agent/referrals/{referral.public_id}/follow-ups", {"status": "contacted"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "details_removed"


# --- Follow-ups --------------------------------------------------------------------------


def test_a_follow_up_made_through_the_api_is_on_the_workspace_page(rosa):
    agent, api = rosa
    referral = accepted_by(api)
    made = api.post(
        f"/agent/referrals/{referral.public_id}/follow-ups",
        {"status": "deferred", "reason": "Call back in January"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "deferred"
    web = Client()
    web.force_login(User.objects.get(agent=agent))
    page = web.get(reverse("workspace:referral", args=[referral.public_id]))
    assert "Call back in January" in page.content.decode()
    # The list shows it too, and the previous status stays in the history.
    api.post(f"/agent/referrals/{referral.public_id}/follow-ups", {"status": "contacted"})
    detail = api.get(f"/agent/referrals/{referral.public_id}").json()
    assert detail["follow_up"]["status"] == "contacted"
    assert [f["status"] for f in detail["follow_ups"]] == ["contacted", "deferred"]
    assert api.get("/agent/referrals").json()[0]["follow_up"] == "contacted"


def test_follow_up_rules_are_the_pages_rules_in_the_agents_language(rosa):
    _agent, api = rosa
    referral = accepted_by(api)
    url = f"/agent/referrals/{referral.public_id}/follow-ups"
    no_id = api.post(url, {"status": "enrolled"})
    assert no_id.status_code == 422
    assert no_id.json()["error"]["field"] == "application_id"
    assert no_id.json()["error"]["message"].startswith("Enter the application ID")
    spanish = api.post(url, {"status": "enrolled"}, HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.json()["error"]["message"].startswith("Escriba el ID de la solicitud")
    no_reason = api.post(url, {"status": "could_not_reach", "reason": "   "})
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    unknown = api.post(url, {"status": "sold"})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "status"
    assert not FollowUp.objects.exists()
    enrolled = api.post(url, {"status": "enrolled", "application_id": " A-1 "})
    assert enrolled.status_code == 201 and enrolled.json()["application_id"] == "A-1"
    # Closed work leaves the list of accepted referrals, as on the page.
    assert api.get("/agent/referrals").json() == []


# --- History -----------------------------------------------------------------------------


def offers_to(agent, count: int, api: AgentClient) -> list[int]:  # type: ignore[no-untyped-def]
    """`count` referrals offered to the agent and accepted, one after the other."""
    for _ in range(count):
        accepted_by(api)
    return list(Offer.objects.filter(agent=agent).values_list("pk", flat=True))


def walk(api: AgentClient, limit: int, between_pages=None, **filters) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    cursor = None
    while True:
        query = {"limit": limit, **filters, **({"cursor": cursor} if cursor else {})}
        page = api.get("/agent/history", query)
        assert page.status_code == 200, page.content
        seen += [row["offer_id"] for row in page.json()["rows"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen
        if between_pages:
            between_pages()


def test_history_pages_walk_every_row_once_even_when_offers_arrive_meanwhile(rosa):
    agent, api = rosa
    existing = offers_to(agent, 5, api)
    # Two offers at the same instant: the id keeps them in a stable order.
    Offer.objects.filter(pk__in=existing[1:3]).update(offered_at=timezone.now())
    seen = walk(api, 2, between_pages=lambda: accepted_by(api))
    assert sorted(seen) == sorted(existing) and len(seen) == len(set(seen))
    newest_first = list(
        Offer.objects.filter(pk__in=existing)
        .order_by("-offered_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert seen == newest_first


def test_history_filters_as_the_page_does_and_carries_no_contact_details(rosa, ben):
    _agent, api = rosa
    accepted = accepted_by(api, first_name="Secretname")
    rejected = make_referral().offers.get()
    assert api.post(f"/offers/{rejected.pk}/reject").status_code == 200
    rows = api.get("/agent/history", {"outcome": "rejected"}).json()["rows"]
    assert [r["offer_id"] for r in rows] == [rejected.pk]
    assert rows[0]["referral_id"] is None  # not theirs to open
    none_yet = api.get("/agent/history", {"follow_up": "none", "outcome": "accepted"}).json()
    assert [r["referral_id"] for r in none_yet["rows"]] == [str(accepted.public_id)]
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert api.get("/agent/history", {"date_from": tomorrow}).json()["rows"] == []
    everything = api.get("/agent/history")
    assert len(everything.json()["rows"]) == 2
    assert "Secretname" not in everything.content.decode()
    assert not ContactDisclosure.objects.filter(context="view").exists()


def test_a_tampered_cursor_is_a_400_naming_the_cursor(rosa):
    agent, api = rosa
    offers_to(agent, 3, api)
    cursor = api.get("/agent/history", {"limit": 1}).json()["next_cursor"]
    for bad in (cursor[:-2] + "xx", "bm90IGEgY3Vyc29y", cursor.replace(":", ";", 1)):
        response = api.get("/agent/history", {"cursor": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid_cursor"
        assert response.json()["error"]["field"] == "cursor"


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"date_from": "2026-13-01"}, "date_from", "Enter a date such as 2026-01-31."),
        ({"date_from": "1999-01-01"}, "date_from", "Enter a date between"),
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "date_to",
            "The end date must be on or after the start date.",
        ),
        ({"outcome": "won"}, "outcome", ""),
        ({"follow_up": "maybe"}, "follow_up", ""),
        ({"limit": 101}, "limit", ""),
        ({"limit": 0}, "limit", ""),
    ],
)
def test_bad_history_filters_are_refused_naming_the_field(rosa, query, field, words):
    _agent, api = rosa
    response = api.get("/agent/history", query)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"]


# --- Availability, absences --------------------------------------------------------------


def local_day(agent, offset: int) -> str:  # type: ignore[no-untyped-def]
    return (timezone.now().astimezone(agent.zone).date() + timedelta(days=offset)).isoformat()


def test_availability_reads_back_the_hours_and_absences_the_agent_set(rosa):
    _agent, api = rosa
    api.put(
        "/agent/availability",
        {"switch": "schedule", "weekly_hours": [{"weekday": 2, "start": "09:00", "end": "00:00"}]},
    )
    body = api.get("/agent/availability").json()
    assert body["switch"] == "schedule" and body["time_zone"] == "America/Chicago"
    assert body["weekly_hours"] == [{"weekday": 2, "start": "09:00:00", "end": "00:00:00"}]
    assert body["absences"] == [] and body["follows_hours_without_any"] is False


def test_absences_are_added_and_removed_one_at_a_time_with_the_pages_rules(rosa, ben):
    agent, api = rosa
    added = api.post(
        "/agent/absences", {"first_day": local_day(agent, 1), "last_day": local_day(agent, 3)}
    )
    assert added.status_code == 201, added.content
    absence = added.json()
    assert absence["first_day"] == local_day(agent, 1) and absence["last_day"] == local_day(
        agent, 3
    )
    assert api.get("/agent/availability").json()["absences"] == [absence]
    overlap = api.post(
        "/agent/absences", {"first_day": local_day(agent, 2), "last_day": local_day(agent, 5)}
    )
    assert overlap.status_code == 422 and overlap.json()["error"]["code"] == "overlap"
    past = api.post(
        "/agent/absences",
        {"first_day": local_day(agent, -1), "last_day": local_day(agent, 1)},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert past.status_code == 422 and past.json()["error"]["field"] == "first_day"
    assert past.json()["error"]["message"].startswith("El primer día no puede estar en el pasado")
    _ben, ben_api = ben
    assert ben_api.delete(f"/agent/absences/{absence['id']}").status_code == 404
    assert api.delete(f"/agent/absences/{absence['id']}").status_code == 204
    again = api.delete(f"/agent/absences/{absence['id']}")
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"
    kinds = AgentChange.objects.filter(agent=agent, channel="api", kind="absences").count()
    assert kinds == 2


def test_an_absence_added_through_the_api_is_on_the_availability_page(rosa):
    agent, api = rosa
    api.post(
        "/agent/absences",
        {"first_day": local_day(agent, 1), "last_day": local_day(agent, 2), "note": "Dentist"},
    )
    web = Client()
    web.force_login(User.objects.get(agent=agent))
    assert "Dentist" in web.get(reverse("agents:availability")).content.decode()


def test_the_switch_is_the_headers_switch_and_is_audited(rosa):
    agent, api = rosa
    off = api.post("/agent/availability/switch", {"switch": "off"})
    assert off.status_code == 200 and off.json()["is_available"] is False
    on = api.post("/agent/availability/switch", {"switch": "on"})
    assert on.json()["switch"] == "on" and on.json()["is_available"] is True
    schedule = api.post("/agent/availability/switch", {"switch": "schedule"})
    assert schedule.status_code == 422 and schedule.json()["error"]["field"] == "switch"
    details = AgentChange.objects.filter(agent=agent, channel="api", kind="switch")
    assert list(details.order_by("pk").values_list("detail", flat=True)) == ["off", "on"]


# --- Profile: contact details, listing, eligibility, test messages ----------------------


def test_contact_details_are_read_and_changed_with_the_profiles_rules(rosa):
    agent, api = rosa
    assert api.get("/agent/contact").json()["zip_code"] == "53711"
    bad = api.put(
        "/agent/contact",
        {"cell_phone": "(608) 555-0123", "contact_method": "email", "zip_code": "00000"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "zip_code"
    method = api.put(
        "/agent/contact",
        {"cell_phone": "(608) 555-0123", "contact_method": "carrier_pigeon", "zip_code": "53703"},
    )
    assert method.status_code == 422 and method.json()["error"]["field"] == "contact_method"
    ok = api.put(
        "/agent/contact",
        {"cell_phone": "(608) 555-0123", "contact_method": "email", "zip_code": "53703"},
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["cell_phone"] == "+16085550123" and ok.json()["zip_code"] == "53703"
    assert AgentChange.objects.filter(agent=agent, channel="api", kind="contact").exists()


def test_the_find_local_help_listing_and_eligibility_as_on_the_profile(rosa):
    _agent, api = rosa
    listing = api.get("/agent/directory-listing").json()
    assert listing["eligible_states"] == ["IA", "WI"] and listing["listed_states"] == ["IA", "WI"]
    narrowed = api.put("/agent/directory-listing", {"states": ["WI"]})
    assert narrowed.status_code == 200 and narrowed.json()["listed_states"] == ["WI"]
    outside = api.put("/agent/directory-listing", {"states": ["TX"]})
    assert outside.status_code == 422 and outside.json()["error"]["field"] == "states"
    states = {row["state"]: row for row in api.get("/agent/eligibility").json()}
    assert states["WI"]["ok"] is True and states["WI"]["licensed"] is True


def test_send_me_a_test_sends_one_a_minute(rosa):
    _agent, api = rosa
    first = api.post("/agent/test-message", {"channel": "email"})
    assert first.status_code == 200 and first.json() == {"sent": 1}
    assert api.post("/agent/test-message", {"channel": "email"}).json() == {"sent": 0}
    no_app = api.post("/agent/test-message", {"channel": "push"})
    assert no_app.status_code == 409 and no_app.json()["error"]["code"] == "nothing_to_send"


# --- Every operation: a token, and every workspace capability has one ------------------


def agent_operations(client: Client) -> list[tuple[str, str]]:
    schema = client.get(f"{API}/openapi.json").json()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get("security")
    ]


def test_every_agent_operation_needs_a_token(client, plan_year):
    operations = agent_operations(client)
    assert len(operations) >= 20
    for method, path in operations:
        url = path.replace("{referral_id}", str(uuid.uuid4())).replace("{absence_id}", "1")
        url = url.replace("{offer_id}", "1")
        response = client.generic(method, url, "{}", content_type="application/json")
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthorized"


# Each page or form of the agent's web workspace, and the operation that does the same.
# Not here on purpose: the login, password, passkey and device-token screens (the app has
# its own login, POST /auth/token) and the htmx fragments' polling (offers, pending count),
# whose data GET /agent/offers gives.
CAPABILITIES = {
    "workspace:referrals": ("GET", "/agent/referrals"),
    "workspace:offers": ("GET", "/agent/offers"),
    "workspace:pending_count": ("GET", "/agent/offers"),
    "workspace:accept": ("POST", "/offers/{offer_id}/accept"),
    "workspace:reject": ("POST", "/offers/{offer_id}/reject"),
    "workspace:referral": ("GET", "/agent/referrals/{referral_id}"),
    "workspace:referral (follow-up form)": ("POST", "/agent/referrals/{referral_id}/follow-ups"),
    "workspace:history": ("GET", "/agent/history"),
    "workspace:history_export": ("GET", "/agent/history"),
    "agents:availability": ("GET", "/agent/availability"),
    "agents:switch": ("POST", "/agent/availability/switch"),
    "agents:mode": ("PUT", "/agent/availability"),
    "agents:hours": ("PUT", "/agent/availability"),
    "agents:absence_add": ("POST", "/agent/absences"),
    "agents:absence_delete": ("DELETE", "/agent/absences/{absence_id}"),
    "agents:test_notification": ("POST", "/agent/test-message"),
    "accounts:profile": ("GET", "/agent/profile"),
    "accounts:profile (contact)": ("PUT", "/agent/contact"),
    "accounts:profile (languages)": ("PUT", "/agent/preferences"),
    "accounts:profile (states)": ("PUT", "/agent/preferences"),
    "accounts:profile (directory)": ("PUT", "/agent/directory-listing"),
    "accounts:profile (eligibility)": ("GET", "/agent/eligibility"),
}


def test_every_workspace_capability_has_an_api_operation(client, plan_year):
    from agentmatch.accounts import availability_urls
    from agentmatch.workspace import urls as workspace_urls

    pages = {f"workspace:{p.name}" for p in workspace_urls.urlpatterns}
    pages |= {f"agents:{p.name}" for p in availability_urls.urlpatterns}
    missing = pages - {name.split(" ")[0] for name in CAPABILITIES}
    assert not missing, f"workspace pages with no API operation: {sorted(missing)}"
    operations = set(agent_operations(client))
    for name, (method, path) in CAPABILITIES.items():
        assert (method, API + path) in operations, name


def test_every_new_operation_documents_its_errors_with_examples(client):
    schema = client.get(f"{API}/openapi.json").json()
    new = [path for path in schema["paths"] if path.startswith(f"{API}/agent/")]
    for path in new:
        for method, operation in schema["paths"][path].items():
            assert operation.get("summary") or operation.get("description"), (method, path)
            for status, answer in operation["responses"].items():
                if status.startswith("4") or status.startswith("5"):
                    assert "content" in answer, (method, path, status)
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, status)
