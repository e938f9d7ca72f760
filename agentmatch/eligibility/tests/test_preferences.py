"""State preferences: default all eligible states; deselect and reselect within them only."""

from datetime import UTC, date, datetime

import pytest

from agentmatch.accounts.agent_actions import change_state_preferences
from agentmatch.agents.models import Channel, StateDeselection
from agentmatch.eligibility.models import RoutingState
from agentmatch.eligibility.preferences import PreferenceError, profile_states
from agentmatch.testing import give_license, make_agent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
SEED_STATES = ["AK", "AL", "AR", "AZ", "UT", "WI", "WY"]


def routed(agent) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(RoutingState.objects.filter(agent=agent).values_list("state", flat=True))


def choose(agent, selected: list[str]) -> None:  # type: ignore[no-untyped-def]
    change_state_preferences(agent=agent, now=NOW, channel=Channel.WEB, states=selected)


def states(agent, plan_year):  # type: ignore[no-untyped-def]
    return profile_states(agent=agent, plan_year=plan_year, today=TODAY)


def test_preferences_default_to_every_eligible_state(plan_year):
    agent = make_agent(zip_code="53703", licensed=[*SEED_STATES, "CA"], now=NOW)
    shown = states(agent, plan_year)
    assert shown.selectable == shown.selected == shown.routing == SEED_STATES  # CA not served


def test_deselecting_a_state_stops_its_routing_and_keeps_it_selectable(plan_year):
    agent = make_agent(zip_code="53703", licensed=SEED_STATES, now=NOW)
    choose(agent, [s for s in SEED_STATES if s != "WI"])
    shown = states(agent, plan_year)
    assert "WI" in shown.selectable
    assert "WI" not in shown.selected
    assert routed(agent) == ["AK", "AL", "AR", "AZ", "UT", "WY"]
    assert list(StateDeselection.objects.filter(agent=agent).values_list("state", flat=True)) == [
        "WI"
    ]


def test_reselecting_a_state_restores_its_routing(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI", "IA"], deselected=["WI"], now=NOW)
    assert routed(agent) == ["IA"]
    choose(agent, ["ia", " wi "])
    assert routed(agent) == ["IA", "WI"]
    assert not StateDeselection.objects.filter(agent=agent).exists()


def test_deselecting_every_state_routes_nothing(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI", "IA"], now=NOW)
    choose(agent, [])
    assert routed(agent) == []
    assert states(agent, plan_year).selectable == ["IA", "WI"]


@pytest.mark.parametrize(
    ("selected", "named"),
    [
        pytest.param(["WI", "TX"], "TX", id="licensed_elsewhere"),
        pytest.param(["WI", "CA"], "CA", id="state_not_served"),
        pytest.param(["WI", "XX"], "XX", id="not_a_state"),
        pytest.param(["MN"], "MN", id="licensed_without_health_line"),
    ],
)
def test_selecting_outside_the_eligible_states_is_refused_and_changes_nothing(
    plan_year, selected, named
):
    agent = make_agent(zip_code="53703", licensed=["WI", "IA"], deselected=["IA"], now=NOW)
    give_license(agent, "MN", lines=["Property", "Casualty"])
    with pytest.raises(PreferenceError) as err:
        choose(agent, selected)
    assert err.value.field == "states"
    assert f"Not eligible for referrals in {named}" in err.value.message
    assert "eligible states: IA, WI" in err.value.message
    assert routed(agent) == ["WI"]
    assert list(StateDeselection.objects.filter(agent=agent).values_list("state", flat=True)) == [
        "IA"
    ]


def test_display_option_3_may_select_only_the_home_state(plan_year):
    agent = make_agent(
        zip_code="53703", licensed=["WI", "IA"], display_option=3, home_state="WI", now=NOW
    )
    assert states(agent, plan_year).selectable == ["WI"]
    assert routed(agent) == ["WI"]
    with pytest.raises(PreferenceError, match="IA"):
        choose(agent, ["WI", "IA"])


def test_display_option_4_has_nothing_to_select(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI"], display_option=4, now=NOW)
    assert states(agent, plan_year).selectable == []
    with pytest.raises(PreferenceError, match="eligible states: none"):
        choose(agent, ["WI"])


def test_newly_licensed_state_is_selected_by_default(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI", "IA"], deselected=["IA"], now=NOW)
    give_license(agent, "MI")
    choose(agent, ["WI", "MI"])
    give_license(agent, "AZ")
    from agentmatch.eligibility.services import refresh_routing_states

    refresh_routing_states(agents=[agent], plan_year=plan_year, today=TODAY)
    assert routed(agent) == ["AZ", "MI", "WI"]


def test_expired_license_drops_out_of_the_selectable_states(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI"], now=NOW)
    give_license(agent, "IA", expires_on=date(2026, 3, 1))
    assert states(agent, plan_year).selectable == ["WI"]


def test_deselection_survives_a_lapse_in_that_states_license(plan_year):
    """An agent who deselected IA does not get IA back because the license lapsed meanwhile."""
    agent = make_agent(zip_code="53703", licensed=["WI", "IA", "MI"], deselected=["IA"], now=NOW)
    give_license(agent, "IA", active=False)
    choose(agent, ["WI"])
    give_license(agent, "IA", active=True)  # renewed
    from agentmatch.eligibility.services import refresh_routing_states

    refresh_routing_states(agents=[agent], plan_year=plan_year, today=TODAY)
    assert routed(agent) == ["WI"]
    assert sorted(StateDeselection.objects.filter(agent=agent).values_list("state", flat=True)) == [
        "IA",
        "MI",
    ]
