"""Loading eligibility facts in bulk and keeping RoutingState in step with them."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from agentmatch.agents.models import Agent, DirectoryOptOut, StateDeselection
from agentmatch.eligibility.agent_events import eligibility_changed
from agentmatch.eligibility.models import (
    AgentDeactivation,
    DirectoryListing,
    RegistrationCompletion,
    RegistrationTermination,
    RoutingState,
    TrainingCompletion,
)
from agentmatch.eligibility.routing_table import rebuild_slots
from agentmatch.eligibility.rules import (
    AgentFacts,
    LicenseFacts,
    RegistrationFacts,
    TerminationFacts,
    listed_states,
    routable_states,
)
from agentmatch.licensing.models import License, LineOfAuthority
from agentmatch.planyears.models import PlanYear

CHUNK = 2000


def load_facts(agents: list[Agent], *, plan_year: PlanYear, today: date) -> list[AgentFacts]:
    """One query per table for the whole chunk, whatever its size."""
    year = plan_year.year
    served = frozenset(plan_year.served_states.values_list("state", flat=True))
    keys = [a.npn_key for a in agents]
    ids = [a.pk for a in agents]

    registrations = {
        r.npn_key: RegistrationFacts(r.npn_valid, r.individual_completed_on, r.individual_ends_on)
        for r in RegistrationCompletion.objects.filter(plan_year=year, npn_key__in=keys)
    }
    terminations: dict[str, list[TerminationFacts]] = defaultdict(list)
    for t in RegistrationTermination.objects.filter(plan_year=year, npn_key__in=keys):
        if t.covers_individual_marketplace:
            terminations[t.npn_key].append(
                TerminationFacts(t.status, t.effective_on, t.ends_registration)
            )
    trainings = dict(
        TrainingCompletion.objects.filter(plan_year=year, npn_key__in=keys).values_list(
            "npn_key", "completed_on"
        )
    )
    # By NPN, like the CMS lists: NIPR may have reported them before the agent existed.
    # Plain rows, not instances with their lines prefetched: each prefetched license and
    # its lines point at each other, so a chunk's licenses outlived it as garbage for the
    # cyclic collector (about 30 MB kept by a worker after inviting 80,000 agents).
    held = list(
        License.objects.filter(npn_key__in=keys).values_list(
            "pk", "npn_key", "state", "is_active", "expires_on"
        )
    )
    lines: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for license_id, name, is_health, is_active in (
        LineOfAuthority.objects.filter(license_id__in=[row[0] for row in held])
        .order_by("pk")
        .values_list("license_id", "name", "is_health", "is_active")
    ):
        lines[license_id].append((name, is_health and is_active))
    licenses: dict[str, dict[str, LicenseFacts]] = defaultdict(dict)
    for license_id, npn_key, state, is_active, expires_on in held:
        named = lines.get(license_id, [])
        licenses[npn_key][state] = LicenseFacts(
            state=state,
            is_active=is_active,
            expires_on=expires_on,
            health_lines=tuple(name for name, health in named if health),
            other_lines=tuple(name for name, health in named if not health),
        )
    deselected: dict[int, set[str]] = defaultdict(set)
    for agent_id, state in StateDeselection.objects.filter(agent_id__in=ids).values_list(
        "agent_id", "state"
    ):
        deselected[agent_id].add(state)
    opted_out: dict[int, set[str]] = defaultdict(set)
    for agent_id, state in DirectoryOptOut.objects.filter(agent_id__in=ids).values_list(
        "agent_id", "state"
    ):
        opted_out[agent_id].add(state)
    deactivated = set(
        AgentDeactivation.objects.filter(agent_id__in=ids).values_list("agent_id", flat=True)
    )

    return [
        AgentFacts(
            npn=a.npn,
            plan_year=year,
            today=today,
            served_states=served,
            registration=registrations.get(a.npn_key),
            terminations=terminations.get(a.npn_key, []),
            training_completed_on=trainings.get(a.npn_key),
            service_registration_complete=a.service_registration_completed_at is not None,
            display_option=a.display_option,
            home_state=a.home_state,
            licenses=licenses.get(a.npn_key, {}),
            deselected_states=frozenset(deselected.get(a.pk, set())),
            deactivated=a.pk in deactivated,
            directory_opt_outs=frozenset(opted_out.get(a.pk, set())),
        )
        for a in agents
    ]


def facts_for(agent: Agent, *, plan_year: PlanYear, today: date) -> AgentFacts:
    return load_facts([agent], plan_year=plan_year, today=today)[0]


def _chunks(agents: Iterable[Agent]) -> Iterator[list[Agent]]:
    chunk: list[Agent] = []
    for agent in agents:
        chunk.append(agent)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def refresh_routing_states(
    *, agents: Iterable[Agent], plan_year: PlanYear, today: date
) -> set[int]:
    """Rewrites RoutingState and DirectoryListing for these agents; returns ids of agents
    that gained a routed state."""
    gained: set[int] = set()
    for chunk in _chunks(agents):
        facts = load_facts(chunk, plan_year=plan_year, today=today)
        _rewrite_states(
            DirectoryListing,
            chunk,
            [listed_states(f) for f in facts],
            lambda a: {"latitude": a.latitude, "longitude": a.longitude},
        )
        routed = [routable_states(f) for f in facts]
        before = _states_of(RoutingState, chunk)
        added = _rewrite_states(RoutingState, chunk, routed)
        gained |= {r.agent_id for r in added}
        eligibility_changed(
            (a.pk, wanted)
            for a, wanted in zip(chunk, routed, strict=True)
            if before.get(a.pk, set()) != wanted
        )
        # Removed states took their slots with them (cascade); new ones need theirs.
        rebuild_slots(agent_ids={r.agent_id for r in added})
    return gained


def _rewrite_states[Row: (RoutingState, DirectoryListing)](
    model: type[Row],
    chunk: list[Agent],
    wanted_states: list[set[str]],
    copied: Callable[[Agent], dict[str, Any]] = lambda a: {},
) -> list[Row]:
    """Makes each agent's rows of `model` (agent, state) the wanted states, new rows
    with the agent's fields `copied` gives; returns the rows added."""
    current = _states_of(model, chunk)
    to_add: list[Row] = []
    for agent, wanted in zip(chunk, wanted_states, strict=True):
        have = current.get(agent.pk, set())
        if stale := have - wanted:
            model.objects.filter(agent=agent, state__in=stale).delete()
        to_add.extend(model(agent=agent, state=s, **copied(agent)) for s in wanted - have)
    model.objects.bulk_create(to_add, ignore_conflicts=True)
    return to_add


def _states_of(
    model: type[RoutingState | DirectoryListing], chunk: list[Agent]
) -> dict[int, set[str]]:
    current: dict[int, set[str]] = defaultdict(set)
    for agent_id, state in model.objects.filter(agent_id__in=[a.pk for a in chunk]).values_list(
        "agent_id", "state"
    ):
        current[agent_id].add(state)
    return current


def refresh_all_routing_states(*, plan_year: PlanYear, today: date) -> set[int]:
    # New plan year or a changed served-state list: rows of agents no longer known go too.
    return refresh_routing_states(
        agents=Agent.objects.order_by("pk").iterator(chunk_size=CHUNK),
        plan_year=plan_year,
        today=today,
    )
