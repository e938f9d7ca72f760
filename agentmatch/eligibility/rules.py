"""Who may receive referrals for a state, in the product's own words (domain.md section 2).

`explain(facts, state)` answers support's question "why am I not getting WI referrals?"
and `routable_states(facts)` is what routing uses; both read the same rule list, so the
explanation can never disagree with the routing.
"""

from dataclasses import dataclass, field
from datetime import date

from agentmatch.agents.models import DisplayOption


@dataclass(frozen=True)
class LicenseFacts:
    state: str
    is_active: bool
    expires_on: date | None
    health_lines: tuple[str, ...]  # names of active health lines of authority
    other_lines: tuple[str, ...]


@dataclass(frozen=True)
class RegistrationFacts:
    npn_valid: bool
    individual_completed_on: date | None
    individual_ends_on: date | None


@dataclass(frozen=True)
class TerminationFacts:
    status: str
    effective_on: date | None
    ends_registration: bool


@dataclass
class AgentFacts:
    """Everything the rules need about one agent, for one plan year, loaded in bulk."""

    npn: str
    plan_year: int
    today: date
    served_states: frozenset[str]
    registration: RegistrationFacts | None
    terminations: list[TerminationFacts]  # this plan year, Individual marketplace
    training_completed_on: date | None
    service_registration_complete: bool
    display_option: int
    home_state: str
    licenses: dict[str, LicenseFacts] = field(default_factory=dict)
    deselected_states: frozenset[str] = frozenset()
    # Taken out of service by support (eligibility.AgentDeactivation).
    deactivated: bool = False
    # States where the agent asked not to be listed in Find Local Help.
    directory_opt_outs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Check:
    rule: str
    passed: bool
    detail: str


def marketplace_registration(f: AgentFacts) -> Check:
    rule = f"Marketplace registration complete for plan year {f.plan_year}"
    reg = f.registration
    if reg is None:
        return Check(rule, False, "NPN is not on the Registration Completion List")
    if not reg.npn_valid:
        return Check(rule, False, "NPN is on the Registration Completion List but not valid")
    if reg.individual_completed_on is None:
        return Check(rule, False, "no Individual Marketplace registration completion date")
    if reg.individual_ends_on is not None and reg.individual_ends_on <= f.today:
        return Check(
            rule, False, f"Individual Marketplace registration ended {reg.individual_ends_on}"
        )
    latest = _latest_termination(f)
    if latest is not None and latest.ends_registration:
        return Check(
            rule, False, f"terminated or suspended ({latest.status}) on {latest.effective_on}"
        )
    return Check(rule, True, f"completed {reg.individual_completed_on}")


def _latest_termination(f: AgentFacts) -> TerminationFacts | None:
    in_force = [t for t in f.terminations if t.effective_on is None or t.effective_on <= f.today]
    # Reinstatement and termination on the same day: the reinstatement wins.
    in_force.sort(key=lambda t: (t.effective_on or date.min, not t.ends_registration))
    return in_force[-1] if in_force else None


def training(f: AgentFacts) -> Check:
    rule = f"Help On Demand training completed for plan year {f.plan_year}"
    if f.training_completed_on is None:
        return Check(rule, False, "no training completion in the MLMS roster")
    return Check(rule, True, f"completed {f.training_completed_on}")


def service_registration(f: AgentFacts) -> Check:
    rule = "Registered with this service (account and both Terms of Use)"
    if not f.service_registration_complete:
        return Check(rule, False, "registration incomplete")
    return Check(rule, True, "complete")


def participation(f: AgentFacts) -> Check:
    rule = "MLMS display option allows participation"
    if f.display_option == DisplayOption.NOT_PARTICIPATING:
        return Check(rule, False, "display option 4: does not participate")
    return Check(rule, True, f"display option {f.display_option}")


def in_service(f: AgentFacts) -> Check:
    rule = "Not deactivated by support"
    if f.deactivated:
        return Check(rule, False, "deactivated by support")
    return Check(rule, True, "active")


def state_served(f: AgentFacts, state: str) -> Check:
    rule = f"{state} is served by the federal platform in {f.plan_year}"
    if state not in f.served_states:
        return Check(rule, False, f"{state} runs its own exchange in {f.plan_year}")
    return Check(rule, True, "served")


def health_license(f: AgentFacts, state: str) -> Check:
    rule = f"Active {state} license with a health line of authority"
    lic = f.licenses.get(state)
    if lic is None:
        return Check(rule, False, f"no {state} license on record from NIPR")
    if not lic.is_active:
        return Check(rule, False, f"{state} license is not active")
    if lic.expires_on is not None and lic.expires_on < f.today:
        return Check(rule, False, f"{state} license expired {lic.expires_on}")
    if not lic.health_lines:
        others = ", ".join(lic.other_lines) or "none"
        return Check(rule, False, f"no active health line of authority (lines: {others})")
    return Check(rule, True, ", ".join(lic.health_lines))


def display_scope(f: AgentFacts, state: str) -> Check:
    rule = "MLMS display option covers this state"
    if f.display_option == DisplayOption.HOME_STATE_ONLY and state != f.home_state:
        home = f.home_state or "unknown"
        return Check(rule, False, f"display option 3: home state ({home}) only")
    return Check(
        rule, True, "covers all licensed states" if f.display_option != 3 else "home state"
    )


def state_preference(f: AgentFacts, state: str) -> Check:
    rule = f"{state} is in the agent's state preferences"
    if state in f.deselected_states:
        return Check(rule, False, f"agent deselected {state}")
    return Check(rule, True, "selected")


def directory_choice(f: AgentFacts, state: str) -> Check:
    rule = f"Listed in Find Local Help for {state} consumers"
    if state in f.directory_opt_outs:
        return Check(rule, False, f"agent chose not to be listed in {state}")
    return Check(rule, True, "listed")


def agent_checks(f: AgentFacts) -> list[Check]:
    """Rules about the agent as a whole, whatever the state."""
    return [
        marketplace_registration(f),
        training(f),
        service_registration(f),
        participation(f),
        in_service(f),
    ]


def listing_checks(f: AgentFacts, state: str) -> list[Check]:
    """What a state needs for the agent to be found there, referrals or not."""
    return [state_served(f, state), health_license(f, state), display_scope(f, state)]


def state_checks(f: AgentFacts, state: str) -> list[Check]:
    return [*listing_checks(f, state), state_preference(f, state)]


def explain(f: AgentFacts, state: str) -> list[Check]:
    return agent_checks(f) + state_checks(f, state)


def eligible_states(f: AgentFacts) -> set[str]:
    """States where CMS data makes the agent eligible (before display scope and preferences).

    Service registration is not required: an agent finishing registration chooses their
    state preferences among these.
    """
    if not all(c.passed for c in (marketplace_registration(f), training(f), in_service(f))):
        return set()
    return {s for s in f.licenses if state_served(f, s).passed and health_license(f, s).passed}


def may_be_invited(f: AgentFacts) -> bool:
    """Eligible on CMS data alone (an account is what the invitation is for)."""
    checks = (marketplace_registration(f), training(f), participation(f), in_service(f))
    if not all(c.passed for c in checks):
        return False
    return any(state_served(f, s).passed and health_license(f, s).passed for s in f.licenses)


def routable_states(f: AgentFacts) -> set[str]:
    if not all(c.passed for c in agent_checks(f)):
        return set()
    return {s for s in f.licenses if all(c.passed for c in state_checks(f, s))}


def listed_states(f: AgentFacts) -> set[str]:
    """States whose consumers find the agent in the Find Local Help directory.

    The routing rules, except that the state preferences (which states the agent wants
    referrals for) give way to the agent's own directory choice per state.
    """
    if not all(c.passed for c in agent_checks(f)):
        return set()
    return {
        s
        for s in f.licenses
        if all(c.passed for c in [*listing_checks(f, s), directory_choice(f, s)])
    }
