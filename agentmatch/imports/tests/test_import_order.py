"""The four files may be imported in any order: every order ends in the same eligibility.

NIPR licenses, RCL and RTL rows and roster training are kept by NPN, so a file that comes
before the roster has created the agent is not lost: it applies when the agent appears.
"""

from itertools import permutations

import pytest
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.eligibility.models import RoutingState
from agentmatch.eligibility.rules import explain, routable_states
from agentmatch.eligibility.services import load_facts
from agentmatch.imports.tests.helpers import fixture, run, sign_up_everyone
from agentmatch.planyears.models import PlanYear

pytestmark = pytest.mark.django_db

FILES = {
    "rcl": ("import_rcl", "rcl.csv"),
    "rtl": ("import_rtl", "rtl_terminated.csv"),
    "nipr": ("import_nipr", "nipr.xml"),
    "roster": ("import_roster", "roster.csv"),
}
ORDERS = list(permutations(FILES))  # all 24; the README lists rcl, rtl, nipr, roster

NOT_SIGNED_UP = "registration incomplete"
# Why each agent gets no referrals yet in FL, TX and WI, in why-not's words, whatever the
# order the files came in.
EXPECTED_FAILURES = {
    ("0012345", "FL"): [NOT_SIGNED_UP, "no FL license on record from NIPR"],
    ("0012345", "TX"): [NOT_SIGNED_UP],
    ("0012345", "WI"): [NOT_SIGNED_UP],
    ("8812001", "FL"): [
        "terminated or suspended (T3) on 2025-10-01",
        NOT_SIGNED_UP,
        "no active health line of authority (lines: Health)",
    ],
    ("8812001", "TX"): ["terminated or suspended (T3) on 2025-10-01", NOT_SIGNED_UP],
    ("8812001", "WI"): [
        "terminated or suspended (T3) on 2025-10-01",
        NOT_SIGNED_UP,
        "no WI license on record from NIPR",
    ],
    ("8812002", "FL"): [NOT_SIGNED_UP, "display option 3: home state (TX) only"],
    ("8812002", "TX"): [NOT_SIGNED_UP],
    ("8812002", "WI"): [
        NOT_SIGNED_UP,
        "no WI license on record from NIPR",
        "display option 3: home state (TX) only",
    ],
    **{
        ("8812003", state): [
            "NPN is on the Registration Completion List but not valid",
            NOT_SIGNED_UP,
            "display option 4: does not participate",
            f"no {state} license on record from NIPR",
        ]
        for state in ("FL", "TX", "WI")
    },
    ("8812004", "FL"): [
        "no training completion in the MLMS roster",
        NOT_SIGNED_UP,
        "no FL license on record from NIPR",
    ],
    ("8812004", "TX"): [
        "no training completion in the MLMS roster",
        NOT_SIGNED_UP,
        "no TX license on record from NIPR",
    ],
    ("8812004", "WI"): [
        "no training completion in the MLMS roster",
        NOT_SIGNED_UP,
        "no active health line of authority (lines: Casualty, Credit Accident & Health, Property)",
    ],
}
# Once everyone has signed up (James is terminated, Ana does not participate, Tom has no
# training, Linh's display option keeps her to her home state).
EXPECTED_ROUTED = [("0012345", "TX"), ("0012345", "WI"), ("8812002", "TX")]


def import_in_order(order: tuple[str, ...]) -> None:
    for name in order:
        command, file_name = FILES[name]
        run(command, fixture(file_name))


def failures(plan_year: PlanYear) -> dict[tuple[str, str], list[str]]:
    agents = list(Agent.objects.order_by("npn"))
    facts = load_facts(agents, plan_year=plan_year, today=timezone.now().date())
    return {
        (agent.npn, state): [c.detail for c in explain(f, state) if not c.passed]
        for agent, f in zip(agents, facts, strict=True)
        for state in ("FL", "TX", "WI")
    }


def routed() -> list[tuple[str, str]]:
    return sorted(RoutingState.objects.values_list("agent__npn", "state"))


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_every_order_of_the_four_files_ends_in_the_same_eligibility(plan_year, order):
    import_in_order(order)
    assert failures(plan_year) == EXPECTED_FAILURES

    sign_up_everyone()

    assert routed() == EXPECTED_ROUTED


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_routing_is_in_step_with_the_rules_after_every_order(plan_year, order):
    # Agents sign up as soon as the roster has created them; the files after that must
    # bring their routing up to date by themselves.
    for name in order:
        import_in_order((name,))
        if name == "roster":
            sign_up_everyone()
    agents = list(Agent.objects.order_by("npn"))
    facts = load_facts(agents, plan_year=plan_year, today=timezone.now().date())
    wanted = sorted(
        (a.npn, s) for a, f in zip(agents, facts, strict=True) for s in routable_states(f)
    )
    assert routed() == wanted == EXPECTED_ROUTED
