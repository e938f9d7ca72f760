"""The live queue: which referral shows where, the filters, agent supply and its gaps."""

import pytest
from django.test import Client
from django.utils import timezone, translation

from agentmatch.agents.models import AvailabilitySwitch
from agentmatch.operations import queue
from agentmatch.operations.tests.queue_world import QueueWorld, build_queue_world
from agentmatch.referrals.event_details import describe
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

PAGES = ["/ops/queue/", "/ops/queue/live/"]


@pytest.fixture
def world(rosa) -> QueueWorld:  # type: ignore[no-untyped-def]
    return build_queue_world(rosa.agent)


def _ids(section: queue.Section) -> list:  # type: ignore[type-arg]
    return [row.public_id for row in section.rows]


def _filters(**given: object) -> queue.QueueFilters:
    form = queue.QueueFilterForm({k: str(v) for k, v in given.items()})
    assert form.is_valid(), form.errors
    return form.filters()


# --- Which referral shows where ---------------------------------------------------------


def test_waiting_lists_referrals_nobody_has_the_longest_waiting_first(world) -> None:
    found = queue.waiting_referrals(queue.QueueFilters(), now=timezone.now())
    assert _ids(found) == [
        world.spanish_old.public_id,
        world.spanish_new.public_id,
        world.english_waiting.public_id,
        world.texas.public_id,
    ]
    assert found.total == 4
    oldest = found.rows[0]
    assert 40 * 60 <= oldest.age_seconds < 41 * 60
    assert oldest.offers == 0 and oldest.gives_up_at == world.spanish_old.wait_expires_at


def test_offered_shows_the_agent_the_offer_number_and_the_deadline(world) -> None:
    now = timezone.now()
    found = queue.offered_referrals(queue.QueueFilters(), now=now)
    assert _ids(found) == [world.offered.public_id]
    row = found.rows[0]
    offer = world.offered.offers.get()
    assert (row.agent_name, row.agent_npn) == ("Rosa Martinez", world.rosa.npn)
    assert (row.position, row.deadline) == (1, offer.expires_at)
    assert row.seconds_left == int((offer.expires_at - now).total_seconds())


def test_unmatched_shows_the_ones_ended_within_the_hours_asked(world) -> None:
    now = timezone.now()
    recent = queue.recently_unmatched(queue.QueueFilters(), now=now)
    assert _ids(recent) == [world.unmatched_recent.public_id]
    assert recent.rows[0].reason == "maximum wait reached"
    assert recent.rows[0].waited_seconds == 3600
    two_days = queue.recently_unmatched(_filters(hours=48), now=now)
    assert _ids(two_days) == [world.unmatched_recent.public_id, world.unmatched_old.public_id]


def test_accepted_and_canceled_referrals_are_not_in_the_queue(operator_client, world) -> None:
    page = operator_client.get("/ops/queue/?hours=168").content.decode()
    assert world.offered.reference in page
    assert f"/ops/referrals/{world.accepted.public_id}/" not in page
    assert f"/ops/referrals/{world.canceled.public_id}/" not in page


def test_each_row_opens_the_referral_timeline(operator_client, world) -> None:
    page = operator_client.get("/ops/queue/").content.decode()
    for referral in (world.spanish_old, world.offered, world.texas, world.unmatched_recent):
        assert f'href="/ops/referrals/{referral.public_id}/"' in page
    assert f'href="/ops/agents/{world.rosa.npn}/"' in page


def test_the_queue_shows_no_consumer_name_phone_or_email(operator_client, world) -> None:
    page = operator_client.get("/ops/queue/").content.decode()
    assert "Anastasia" not in page and "Quintero" not in page
    assert "consumer@example.com" not in page
    assert world.spanish_old.phone not in page and "608-555" not in page
    assert "Madison, WI" in page  # where, for routing; not who


def test_why_a_referral_ended_unmatched_reads_in_the_pages_language(operator_client, world):
    operator_client.cookies["django_language"] = "es"
    page = operator_client.get("/ops/queue/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "maximum wait reached" not in page
    with translation.override("es"):
        assert describe("max_wait") in page


def test_ages_read_in_minutes_and_times_name_their_zone(operator_client, world) -> None:
    page = operator_client.get("/ops/queue/").content.decode()
    assert "40 min" in page
    assert "EST" in page or "EDT" in page  # the operator's zone (OPERATOR_TIME_ZONE)


# --- Filters ----------------------------------------------------------------------------


def test_filters_narrow_every_section_by_state_and_language(world) -> None:
    now = timezone.now()
    texas = _filters(state="TX")
    assert _ids(queue.waiting_referrals(texas, now=now)) == [world.texas.public_id]
    assert _ids(queue.offered_referrals(texas, now=now)) == []
    assert _ids(queue.recently_unmatched(texas, now=now)) == [world.unmatched_recent.public_id]
    english = _filters(language="en")
    assert _ids(queue.waiting_referrals(english, now=now)) == [world.english_waiting.public_id]
    assert _ids(queue.offered_referrals(english, now=now)) == [world.offered.public_id]
    assert _ids(queue.recently_unmatched(english, now=now)) == []


def test_the_age_filter_keeps_referrals_asked_longer_ago(world) -> None:
    now = timezone.now()
    waiting = queue.waiting_referrals(_filters(older_than=15), now=now)
    assert _ids(waiting) == [world.spanish_old.public_id]
    assert _ids(queue.waiting_referrals(_filters(older_than=5), now=now)) == [
        world.spanish_old.public_id,
        world.spanish_new.public_id,
        world.english_waiting.public_id,
    ]
    assert _ids(queue.offered_referrals(_filters(older_than=5), now=now)) == []


def test_show_limits_the_page_to_one_section(operator_client, world) -> None:
    response = operator_client.get("/ops/queue/?show=offered")
    assert response.context["offered"].total == 1
    assert response.context["waiting"] is None and response.context["unmatched"] is None
    page = response.content.decode()
    assert 'id="queue-offered"' in page and 'id="queue-waiting"' not in page


def test_the_page_polls_with_the_filters_it_understood(operator_client, world) -> None:
    page = operator_client.get("/ops/queue/?state=WI&language=es&older_than=5").content.decode()
    assert 'hx-get="/ops/queue/live/?state=WI&amp;language=es&amp;older_than=5"' in page
    assert 'hx-trigger="every 10s"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("state=ZZ", "“ZZ” is not a state code."),
        ("language=xx", "“xx” is not a language we route."),
        ("older_than=7", "Choose an age from the list."),
        ("hours=many", "Give the hours as a whole number."),
        ("hours=0", "Look back at least 1 hour."),
        ("hours=9999", "Look back at most 168 hours."),
        ("show=everything", "Show waiting, offered or unmatched referrals."),
    ],
)
def test_a_bad_filter_is_explained_not_a_server_error(
    operator_client, world, query, message
) -> None:
    for url in PAGES:
        response = operator_client.get(f"{url}?{query}")
        assert response.status_code == 400, url
        assert message in response.content.decode(), url


def test_a_bad_filter_is_explained_in_spanish(operator_client, world) -> None:
    response = operator_client.get("/ops/queue/?state=ZZ", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "“ZZ” no es un código de estado." in response.content.decode()


# --- Agent supply and demand without supply ---------------------------------------------


def test_supply_counts_eligible_and_available_agents_per_state_and_language(world) -> None:
    make_agent(zip_code="53202", licensed=["WI"], languages=["en", "es"], first_name="Lu")
    make_agent(
        zip_code="53202", licensed=["WI", "MI"], switch=AvailabilitySwitch.OFF, first_name="Mo"
    )
    rows = {(r.state, r.language): r for r in queue.agent_supply(queue.QueueFilters()).rows}
    counts = {k: (r.eligible, r.available, r.waiting) for k, r in rows.items()}
    # Lu is counted as soon as she is routed (the worker offers her the waiting ones next).
    assert counts == {
        ("WI", "en"): (3, 2, 1),
        ("WI", "es"): (1, 1, 2),
        ("MI", "en"): (1, 0, 0),
        ("TX", "es"): (1, 0, 1),
    }


def test_demand_without_supply_names_each_state_and_language_nobody_can_take(world) -> None:
    gaps = queue.demand_without_supply()
    assert [(g.state, g.language, g.waiting, g.eligible) for g in gaps] == [
        ("TX", "es", 1, 1),
        ("WI", "es", 2, 0),
    ]
    # Waiting English referrals have Rosa (busy, but available): no gap there.
    supply = queue.agent_supply(queue.QueueFilters()).rows
    assert [(r.state, r.language) for r in supply if r.demand_without_supply] == [
        ("TX", "es"),
        ("WI", "es"),
    ]
    assert [(r.state, r.language) for r in supply][:2] == [("TX", "es"), ("WI", "es")]


def test_a_long_supply_table_keeps_the_states_with_referrals_waiting(
    operator_client, world, monkeypatch
) -> None:
    monkeypatch.setattr(queue, "SUPPLY_ROWS", 2)
    supply = queue.agent_supply(queue.QueueFilters())
    assert [(r.state, r.language) for r in supply.rows] == [("TX", "es"), ("WI", "es")]
    assert supply.total == 3
    page = operator_client.get("/ops/queue/").content.decode()
    assert "2 of 3 states and languages are shown" in page


def test_the_gap_alert_leads_the_page_whatever_the_filters(operator_client, world) -> None:
    page = operator_client.get("/ops/queue/?state=MI").content.decode()
    alert = page.index('id="queue-gaps"')
    assert alert < page.index('id="queue-waiting"')
    assert "Referrals waiting with nobody available" in page
    assert "2 waiting; no eligible agent" in page
    assert "1 eligible agent, none available now" in page


def test_the_gap_closes_when_an_agent_becomes_available(operator_client, world) -> None:
    from agentmatch.eligibility.agent_facts import set_availability

    set_availability(agent=world.pedro, switch=AvailabilitySwitch.ON, now=timezone.now())
    assert [(g.state, g.language) for g in queue.demand_without_supply()] == [("WI", "es")]


def test_no_gap_no_alert(operator_client, rosa) -> None:
    make_referral(zip_code="53703")
    assert queue.demand_without_supply() == []
    assert 'id="queue-gaps"' not in operator_client.get("/ops/queue/").content.decode()


def test_supply_takes_the_same_queries_for_many_agents_as_for_one(
    rosa, django_assert_max_num_queries
) -> None:
    """Aggregates, not a loop over agents: the query count does not grow with them."""
    make_referral(zip_code="53703", language="es")
    with django_assert_max_num_queries(4) as few:
        queue.agent_supply(queue.QueueFilters())
        queue.demand_without_supply()
    for n in range(12):
        make_agent(zip_code="53202", licensed=["WI", "TX"], languages=["en", "es"], npn=f"77{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = queue.agent_supply(queue.QueueFilters()).rows
        queue.demand_without_supply()
    assert {(r.state, r.language): r.eligible for r in rows}[("TX", "es")] == 12


# --- The page and its fragment ----------------------------------------------------------


def test_the_fragment_is_the_live_part_alone(operator_client, world) -> None:
    response = operator_client.get("/ops/queue/live/?state=WI")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="queue-live"')
    assert "<html" not in page and 'id="queue-gaps"' in page
    assert str(world.spanish_old.public_id) in page
    assert str(world.texas.public_id) not in page


def test_the_queue_is_in_the_operators_navigation(operator_client, world) -> None:
    page = operator_client.get("/ops/").content.decode()
    assert 'href="/ops/queue/"' in page


def test_the_page_is_in_spanish_for_a_spanish_browser(operator_client, world) -> None:
    page = operator_client.get("/ops/queue/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cola en vivo" in page and "Referidos en espera sin nadie disponible" in page
    assert "40 min" in page


# --- Who may see it ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(plan_year) -> None:
    for url in PAGES:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_a_poll_after_signing_out_sends_the_whole_page_to_the_login_page(plan_year) -> None:
    response = Client().get("/ops/queue/live/?state=WI", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/ops/queue/"


def test_an_agent_never_sees_the_queue(agent_client, world) -> None:
    for url in PAGES:
        response = agent_client.get(url)
        assert response.status_code == 403, url
        assert world.offered.reference.encode() not in response.content
    assert 'href="/ops/queue/"' not in agent_client.get("/workspace/").content.decode()


@pytest.mark.parametrize("role", ["operator", "administrator"])
def test_operators_and_administrators_see_the_queue(plan_year, role) -> None:
    from agentmatch.testing import make_operator

    client = Client()
    client.force_login(make_operator(username=f"staff-{role}", role=role))
    for url in PAGES:
        assert client.get(url).status_code == 200, url


def test_the_queue_only_answers_get(operator_client, world) -> None:
    for url in PAGES:
        assert operator_client.post(url).status_code == 405
