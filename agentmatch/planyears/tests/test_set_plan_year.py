"""`set_plan_year`: served states and the current year as data, routing kept in step."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agentmatch.eligibility.models import RoutingState
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import STATES_SERVED_2026, served_states
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("set_plan_year", *args, stdout=out)
    return out.getvalue()


def routed(agent) -> set[str]:  # type: ignore[no-untyped-def]
    return set(RoutingState.objects.filter(agent=agent).values_list("state", flat=True))


def test_states_2026_defines_the_current_year_with_30_states():
    output = run("2026", "--states-2026", "--current")
    year = PlanYear.objects.get(year=2026)
    assert year.is_current
    assert served_states(year) == {s.rstrip("*") for s in STATES_SERVED_2026}
    assert year.served_states.get(state="AR").platform == "SBM-FP"
    assert "30 states served" in output


def test_dropping_a_served_state_removes_it_from_routing_and_adding_it_back_restores_it(
    plan_year,
):
    agent = make_agent(zip_code="53703", licensed=["WI", "MI"])
    assert routed(agent) == {"WI", "MI"}

    run("2026", "--states", "MI,OH")
    assert routed(agent) == {"MI"}

    run("2026", "--states", "MI,OH,WI")
    assert routed(agent) == {"WI", "MI"}


def test_making_another_year_current_reroutes_everyone_on_that_years_data(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI"])  # RCL and training for 2026 only
    assert routed(agent) == {"WI"}

    output = run("2027", "--states", "WI,MI", "--current")

    assert PlanYear.objects.get(is_current=True).year == 2027
    assert not PlanYear.objects.get(year=2026).is_current
    assert routed(agent) == set()
    assert "Routing states refreshed" in output


def test_changing_a_year_that_is_not_current_leaves_routing_alone(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI"])
    output = run("2027", "--states", "MI")
    assert routed(agent) == {"WI"}
    assert "Not the current plan year" in output


def test_a_bad_state_code_is_named_and_changes_nothing(plan_year):
    with pytest.raises(CommandError, match="'XX' is not a US state code"):
        run("2026", "--states", "WI,XX,MI")
    assert served_states(plan_year) == {s.rstrip("*") for s in STATES_SERVED_2026}


def test_a_new_year_needs_its_states(db):
    with pytest.raises(CommandError, match="give --states"):
        run("2028", "--current")
    assert not PlanYear.objects.filter(year=2028).exists()


def test_intake_can_be_paused_with_a_message_and_reopened(plan_year):
    output = run("2026", "--intake", "paused", "--message", "Back on January 2.")
    plan_year.refresh_from_db()
    assert not plan_year.intake_open
    assert plan_year.intake_paused_message == "Back on January 2."
    assert "paused" in output

    run("2026", "--intake", "open")
    plan_year.refresh_from_db()
    assert plan_year.intake_open
    assert plan_year.intake_paused_message == ""
    # The served states were kept: no --states means "unchanged".
    assert len(served_states(plan_year)) == 30


def test_intake_can_be_paused_with_a_spanish_message_too(plan_year):
    output = run(
        "2026",
        "--intake",
        "paused",
        "--message",
        "Back on January 2.",
        "--message-es",
        "Volvemos el 2 de enero.",
    )
    plan_year.refresh_from_db()
    assert plan_year.intake_paused_message_es == "Volvemos el 2 de enero."
    assert 'es: "Volvemos el 2 de enero."' in output
    run("2026", "--intake", "open")
    plan_year.refresh_from_db()
    assert plan_year.intake_open and plan_year.intake_paused_message_es == ""


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--intake", "paused", "--message-es", "x" * 301), "too long"),
        (("--intake", "paused", "--message-es", "dos\nlíneas"), "control character"),
        (("--intake", "open", "--message-es", "Pronto."), "pause intake to set it"),
    ],
)
def test_a_bad_spanish_message_is_refused_and_nothing_changes(plan_year, args, problem):
    with pytest.raises(CommandError, match=problem) as raised:
        run("2026", *args)
    assert "--message-es" in str(raised.value)
    plan_year.refresh_from_db()
    assert plan_year.intake_open and plan_year.intake_paused_message_es == ""
