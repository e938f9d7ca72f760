"""State preferences: which of their eligible states an agent wants referrals for."""

from dataclasses import dataclass
from datetime import date

from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import Agent, DirectoryOptOut, DisplayOption, StateDeselection
from agentmatch.agents.services import set_deselected_states, set_directory_opt_outs
from agentmatch.eligibility.models import DirectoryListing, RoutingState
from agentmatch.eligibility.rules import eligible_states
from agentmatch.eligibility.services import facts_for
from agentmatch.planyears.models import PlanYear


class PreferenceError(SettingError):
    pass


@dataclass(frozen=True)
class ProfileStates:
    selectable: list[str]  # eligible states the display option allows
    selected: list[str]  # selectable minus the deselected
    routing: list[str]  # what routing uses right now


def profile_states(*, agent: Agent, plan_year: PlanYear, today: date) -> ProfileStates:
    facts = facts_for(agent, plan_year=plan_year, today=today)
    selectable = eligible_states(facts)
    if agent.display_option == DisplayOption.HOME_STATE_ONLY:
        selectable &= {agent.home_state}
    elif agent.display_option == DisplayOption.NOT_PARTICIPATING:
        selectable = set()
    selected = selectable - facts.deselected_states
    routing = RoutingState.objects.filter(agent=agent).values_list("state", flat=True)
    return ProfileStates(sorted(selectable), sorted(selected), sorted(routing))


def _within_selectable(
    agent: Agent, chosen: list[str], plan_year: PlanYear, today: date, what: str
) -> tuple[set[str], set[str]]:
    """The chosen states and the selectable ones; PreferenceError naming any chosen state
    outside them."""
    wanted = {s.strip().upper() for s in chosen}
    selectable = set(profile_states(agent=agent, plan_year=plan_year, today=today).selectable)
    if outside := sorted(wanted - selectable):
        allowed = ", ".join(sorted(selectable)) or "none"
        raise PreferenceError(
            "states",
            f"Not eligible for {what} in {', '.join(outside)}; eligible states: {allowed}.",
            code="not_eligible",
        )
    return wanted, selectable


def set_state_preferences(
    *, agent: Agent, selected: list[str], plan_year: PlanYear, today: date
) -> None:
    """Stores which selectable states the agent wants; raises PreferenceError naming any
    state outside them. The caller refreshes the routing states (once)."""
    wanted, selectable = _within_selectable(agent, selected, plan_year, today, "referrals")
    # Deselections of states not selectable today (a lapsed license) are the agent's choice
    # too: keep them, or the state comes back unasked when the license is renewed.
    kept = set(StateDeselection.objects.filter(agent=agent).values_list("state", flat=True))
    set_deselected_states(agent=agent, states=(selectable - wanted) | (kept - selectable))


def directory_states(*, agent: Agent, plan_year: PlanYear, today: date) -> ProfileStates:
    """The states whose consumers may find the agent in Find Local Help: the same
    selectable states as for referrals, and those the agent has not opted out of."""
    selectable = profile_states(agent=agent, plan_year=plan_year, today=today).selectable
    opted_out = set(DirectoryOptOut.objects.filter(agent=agent).values_list("state", flat=True))
    listed = DirectoryListing.objects.filter(agent=agent).values_list("state", flat=True)
    return ProfileStates(selectable, [s for s in selectable if s not in opted_out], sorted(listed))


def set_directory_choices(
    *, agent: Agent, listed: list[str], plan_year: PlanYear, today: date
) -> None:
    """Stores in which selectable states the agent wants to be listed; raises
    PreferenceError naming any state outside them. The caller refreshes the listings."""
    wanted, selectable = _within_selectable(agent, listed, plan_year, today, "the directory")
    # As with referrals: a choice about a state not selectable today is kept.
    kept = set(DirectoryOptOut.objects.filter(agent=agent).values_list("state", flat=True))
    set_directory_opt_outs(agent=agent, states=(selectable - wanted) | (kept - selectable))
