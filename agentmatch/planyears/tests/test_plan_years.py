"""Plan years are data: served states per year, one current year, switching years."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction

from agentmatch.eligibility.models import RegistrationCompletion, RoutingState, TrainingCompletion
from agentmatch.eligibility.services import refresh_all_routing_states
from agentmatch.planyears.models import PlanYear, ServedState
from agentmatch.planyears.services import (
    STATES_SERVED_2026,
    NoCurrentPlanYear,
    current_plan_year,
    define_plan_year,
    served_states,
)
from agentmatch.referrals.intake import IntakeError, validate_contact_request
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
# 2027: Oregon leaves the federal platform (domain.md section 5).
STATES_SERVED_2027 = [s for s in STATES_SERVED_2026 if s != "OR*"]


def test_star_marks_a_state_based_marketplace_on_the_federal_platform():
    year = define_plan_year(year=2026, states=STATES_SERVED_2026, make_current=True)
    platforms = dict(year.served_states.values_list("state", "platform"))
    assert len(platforms) == 30
    assert platforms["AR"] == platforms["OR"] == ServedState.Platform.SBM_FP
    assert platforms["WI"] == ServedState.Platform.FFM
    assert "AR*" not in platforms


def test_defining_a_year_again_replaces_its_states():
    define_plan_year(year=2026, states=["WI", "IA*"], make_current=False)
    year = define_plan_year(year=2026, states=["WI*", "AZ"], make_current=False)
    assert dict(year.served_states.values_list("state", "platform")) == {
        "WI": "SBM-FP",
        "AZ": "FFM",
    }


def test_making_a_year_current_retires_the_previous_current_year():
    define_plan_year(year=2026, states=STATES_SERVED_2026, make_current=True)
    define_plan_year(year=2027, states=STATES_SERVED_2027, make_current=True)
    assert current_plan_year().year == 2027
    assert list(PlanYear.objects.filter(is_current=True).values_list("year", flat=True)) == [2027]


def test_defining_a_year_without_making_it_current_keeps_the_current_one():
    define_plan_year(year=2026, states=STATES_SERVED_2026, make_current=True)
    define_plan_year(year=2027, states=STATES_SERVED_2027, make_current=False)
    assert current_plan_year().year == 2026


def test_only_one_current_plan_year_is_a_database_rule():
    PlanYear.objects.create(year=2026, is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanYear.objects.create(year=2027, is_current=True)
    PlanYear.objects.create(year=2028, is_current=False)  # any number of non-current years


def test_no_current_plan_year_says_how_to_set_one(db):
    with pytest.raises(NoCurrentPlanYear, match="set_plan_year"):
        current_plan_year()


def contact(plan_year: PlanYear, zip_code: str):  # type: ignore[no-untyped-def]
    return validate_contact_request(
        plan_year=plan_year,
        served_states=served_states(plan_year),
        first_name="Ana",
        last_name="Diaz",
        phone="503-555-0100",
        email="",
        zip_code=zip_code,
        language="en",
        consent=True,
    )


def test_switching_the_current_year_changes_the_states_intake_accepts():
    define_plan_year(year=2026, states=STATES_SERVED_2026, make_current=True)
    assert contact(current_plan_year(), "97201").place.state == "OR"
    define_plan_year(year=2027, states=STATES_SERVED_2027, make_current=True)
    with pytest.raises(IntakeError) as err:
        contact(current_plan_year(), "97201")
    assert err.value.code == "state_not_served"
    assert "Oregon" in err.value.message and "2027" in err.value.message


def renew(agent, year: int) -> None:  # type: ignore[no-untyped-def]
    """The new plan year's RCL and MLMS data for a returning agent."""
    RegistrationCompletion.objects.create(
        plan_year=year,
        npn_key=agent.npn_key,
        npn_valid=True,
        individual_completed_on=date(year - 1, 9, 1),
    )
    TrainingCompletion.objects.create(
        plan_year=year, npn_key=agent.npn_key, completed_on=date(year - 1, 9, 15)
    )


def routed(agent) -> set[str]:  # type: ignore[no-untyped-def]
    return set(RoutingState.objects.filter(agent=agent).values_list("state", flat=True))


def test_switching_the_current_year_reestablishes_eligibility_from_that_years_data():
    define_plan_year(year=2026, states=STATES_SERVED_2026, make_current=True)
    returning = make_agent(zip_code="97201", licensed=["OR", "WA", "AK"], now=NOW)
    lapsed = make_agent(zip_code="99501", licensed=["AK"], now=NOW)
    assert routed(returning) == {"OR", "AK"}  # WA runs its own exchange
    assert routed(lapsed) == {"AK"}

    year_2027 = define_plan_year(year=2027, states=STATES_SERVED_2027, make_current=True)
    renew(returning, 2027)  # `lapsed` did not register or train for 2027
    refresh_all_routing_states(plan_year=year_2027, today=date(2027, 1, 1))
    assert routed(returning) == {"AK"}  # Oregon left the federal platform
    assert routed(lapsed) == set()


def test_served_states_are_per_year():
    define_plan_year(year=2026, states=STATES_SERVED_2026, make_current=True)
    year_2025 = define_plan_year(year=2025, states=[*STATES_SERVED_2026, "IL*"], make_current=False)
    assert served_states(year_2025) - served_states(current_plan_year()) == {"IL"}
