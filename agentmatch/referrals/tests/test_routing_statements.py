"""How the routing statements run: the qualified count stops at its cap, and on PostgreSQL
the hand-written routing SQL is prepared once per connection and planned generically
(core/prepared_sql.py), unless the deployment turns that off for its connection pooler."""

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import translation

from agentmatch.core import prepared_sql
from agentmatch.referrals import matching
from agentmatch.referrals.event_details import offer_reason_text
from agentmatch.referrals.nearest.sql import QUALIFIED_COUNT_CAP
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@pytest.fixture(autouse=True)
def _always_search_boxes(monkeypatch):  # type: ignore[no-untyped-def]
    # Test populations are small: without this, every search would rank the whole state.
    monkeypatch.setattr(matching, "SPARSE_SLOTS", 0)


def _plans_of_nearest_search() -> tuple[int, int]:
    """(generic, custom) plans used so far by this session's nearest-first statements."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0) "
            "FROM pg_prepared_statements WHERE statement LIKE '%%<->%%'"
        )
        generic, custom = cursor.fetchone()
    return int(generic), int(custom)


def test_a_crowded_box_records_the_capped_count_as_at_least(plan_year):
    madison = ("53703", "53704", "53705", "53711", "53713", "53714", "53716")
    for i in range(QUALIFIED_COUNT_CAP + 2):
        make_agent(zip_code=madison[i % len(madison)], licensed=["WI"])
    offer = make_referral(zip_code="53703").offers.get()
    assert offer.qualified_agents == QUALIFIED_COUNT_CAP
    assert offer.explanation["qualified_at_least"] is True
    radius = offer.explanation["search_radius_miles"]
    assert f"of {QUALIFIED_COUNT_CAP}+ within a {radius:g}-mile search box" in offer.reason
    with translation.override("es"):
        text, _language = offer_reason_text(offer)
    assert f"{QUALIFIED_COUNT_CAP}+" in text


def test_a_count_under_the_cap_is_exact(plan_year):
    for zip_code in ("53704", "53711", "53705", "53713", "53714", "53716"):
        make_agent(zip_code=zip_code, licensed=["WI"])
    offer = make_referral(zip_code="53703").offers.get()
    assert offer.qualified_agents == 6
    assert offer.explanation["qualified_at_least"] is False
    assert "of 6 within" in offer.reason


@on_postgresql
@override_settings(DB_PREPARED_STATEMENTS=True)
def test_routing_statements_are_prepared_and_planned_once_for_every_consumer(plan_year):
    for zip_code in ("53704", "53711", "53705", "53713", "53714", "53716", "54601"):
        make_agent(zip_code=zip_code, licensed=["WI"])
    generic_before, custom_before = _plans_of_nearest_search()
    for zip_code in ("53703", "54601", "53711"):
        assert make_referral(zip_code=zip_code).offers.count() == 1
    generic, custom = _plans_of_nearest_search()
    # Three searches from three places, one generic plan reused: never planned per consumer.
    assert generic - generic_before >= 3
    assert custom == custom_before


@on_postgresql
def test_with_prepared_statements_off_routing_prepares_nothing(plan_year):  # the default
    make_agent(zip_code="53704", licensed=["WI"])
    before = _plans_of_nearest_search()
    with override_settings(DB_PREPARED_STATEMENTS=False):
        offer = make_referral(zip_code="53703").offers.get()
    assert offer.qualified_agents == 1
    assert _plans_of_nearest_search() == before


@on_postgresql
@override_settings(DB_PREPARED_STATEMENTS=True)
def test_a_connection_plans_its_routing_statements_afresh_after_a_while(plan_year, monkeypatch):  # type: ignore[no-untyped-def]
    # A generic plan made when the tables were nearly empty must not outlive their growth.
    for zip_code in ("53704", "53705"):  # one for each referral
        make_agent(zip_code=zip_code, licensed=["WI"])

    def prepared_names() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            return {name for (name,) in cursor.fetchall()}

    make_referral(zip_code="53703")
    before = prepared_names()
    assert before
    monkeypatch.setattr(prepared_sql, "PLAN_MAX_AGE_SECONDS", 0.0)
    assert make_referral(zip_code="53711").offers.count() == 1
    assert prepared_names().isdisjoint(before)


@on_postgresql
def test_prepared_and_plain_statements_find_the_same_agents(plan_year):
    for zip_code in ("53704", "53711", "53705", "53713", "54601", "54880", "53202"):
        make_agent(zip_code=zip_code, licensed=["WI"])
    for zip_code in ("53703", "54601", "54301"):
        referral = make_referral(zip_code=zip_code)
        with override_settings(DB_PREPARED_STATEMENTS=False):
            plain = matching.find_candidates(referral=referral, limit=5)
        with override_settings(DB_PREPARED_STATEMENTS=True):
            prepared = matching.find_candidates(referral=referral, limit=5)
        assert prepared == plain
