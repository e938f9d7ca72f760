"""Intake reuses the current plan year for a few seconds, and forgets it when it changes."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agentmatch.planyears import services
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import (
    NoCurrentPlanYear,
    clear_intake_cache,
    define_plan_year,
    intake_settings,
    set_intake,
)
from agentmatch.testing import plan_year_2026

# The cache only keeps what was read outside a transaction (committed data), so these
# tests run without the per-test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_cache(settings):  # type: ignore[no-untyped-def]
    settings.PLAN_YEAR_CACHE_SECONDS = 5
    clear_intake_cache()
    yield
    clear_intake_cache()


def test_a_second_read_within_the_ttl_asks_the_database_nothing():
    plan_year_2026()
    first = intake_settings()
    with CaptureQueriesContext(connection) as queries:
        again = intake_settings()
    assert len(queries) == 0
    assert again.plan_year.year == first.plan_year.year == 2026
    assert "TX" in again.served_states and "CA" not in again.served_states


def test_pausing_intake_is_seen_at_once_by_the_same_process():
    year = plan_year_2026()
    assert intake_settings().plan_year.intake_open is True
    set_intake(plan_year=year, open=False, message="Open Enrollment has ended.")
    assert intake_settings().plan_year.intake_open is False


def test_a_new_current_plan_year_and_its_states_are_seen_at_once():
    plan_year_2026()
    assert intake_settings().plan_year.year == 2026
    define_plan_year(year=2027, states=["WI"], make_current=True)
    current = intake_settings()
    assert current.plan_year.year == 2027 and current.served_states == {"WI"}


def test_a_change_made_by_another_process_shows_up_after_the_ttl(monkeypatch):
    plan_year_2026()
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    assert intake_settings().plan_year.intake_open is True
    # Another process (the set_plan_year command, another web worker) writes directly.
    PlanYear.objects.filter(year=2026).update(intake_open=False)
    clock[0] += 4.9
    assert intake_settings().plan_year.intake_open is True  # the documented staleness
    clock[0] += 0.2
    assert intake_settings().plan_year.intake_open is False


def test_what_is_read_inside_a_transaction_is_never_kept():
    with transaction.atomic():
        plan_year_2026()
        assert intake_settings().plan_year.year == 2026
        transaction.set_rollback(True)
    with pytest.raises(NoCurrentPlanYear):
        intake_settings()


def test_a_ttl_of_zero_reads_the_database_every_time(settings):
    settings.PLAN_YEAR_CACHE_SECONDS = 0
    plan_year_2026()
    intake_settings()
    with CaptureQueriesContext(connection) as queries:
        intake_settings()
    assert len(queries) == 2
