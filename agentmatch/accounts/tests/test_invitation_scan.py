"""The invitation scan: the database narrows it to agents the rules may invite, so a scan
after nothing changed reads no agent, and one after an import invites whom it made
eligible."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.accounts.invitations import invitation_candidates, invite_newly_eligible_agents
from agentmatch.accounts.models import Invitation
from agentmatch.agents.models import Agent, DisplayOption
from agentmatch.eligibility.models import (
    AgentDeactivation,
    RegistrationCompletion,
    RegistrationTermination,
)
from agentmatch.eligibility.rules import may_be_invited
from agentmatch.eligibility.services import load_facts
from agentmatch.imports.tests.helpers import fixture, run
from agentmatch.planyears.models import PlanYear
from agentmatch.testing import give_license, make_agent, make_agent_user, make_operator

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def _scan(plan_year: PlanYear, today: date = TODAY) -> int:
    now = datetime.combine(today, time(12), tzinfo=UTC)
    with transaction.atomic():
        return invite_newly_eligible_agents(plan_year=plan_year, now=now)


def _candidates(plan_year: PlanYear, today: date = TODAY) -> set[str]:
    rows = invitation_candidates(plan_year=plan_year, today=today).values_list("npn", flat=True)
    return set(rows)


def _invited() -> set[str]:
    return set(Invitation.objects.values_list("agent__npn", flat=True))


def _terminate(agent: Agent, status: str, effective_on: date | None, **fields: str) -> None:
    RegistrationTermination.objects.create(
        npn_key=agent.npn_key,
        status=status,
        marketplaces=fields.get("marketplaces", "Both"),
        plan_year=2026,
        effective_on=effective_on,
    )


def newcomer(npn: str, **options: object) -> Agent:
    """Eligible on CMS data (RCL, training, WI health license) but no account yet."""
    options.setdefault("licensed", ["WI"])
    return make_agent(zip_code="53703", npn=npn, service_registered=False, **options)  # type: ignore[arg-type]


def population() -> None:
    """Agents without an account, each short of one fact the rules need, or not."""
    newcomer("1001")
    newcomer("1002", trained=False)
    newcomer("1003", registered=False)
    newcomer("1004", rcl_valid=False)
    newcomer("1005", display_option=DisplayOption.NOT_PARTICIPATING)
    newcomer("1006", licensed=["CA"])
    newcomer("1007", licensed=[])
    give_license(newcomer("1008", licensed=[]), "WI", expires_on=TODAY - timedelta(days=1))
    give_license(newcomer("1009", licensed=[]), "WI", expires_on=TODAY)
    give_license(newcomer("1010", licensed=[]), "WI", active=False)
    give_license(newcomer("1011", licensed=[]), "WI", lines=["Property"])
    newcomer("1012", licensed=["CA", "TX"])
    make_agent_user(newcomer("1013"))
    AgentDeactivation.objects.create(
        agent=newcomer("1014"),
        deactivated_at=timezone.now(),
        deactivated_by=make_operator(),
        reason="left the agency",
        previous_switch="on",
    )
    ended = newcomer("1015")
    RegistrationCompletion.objects.filter(npn_key=ended.npn_key).update(individual_ends_on=TODAY)
    still = newcomer("1016")
    RegistrationCompletion.objects.filter(npn_key=still.npn_key).update(
        individual_ends_on=TODAY + timedelta(days=1)
    )
    no_completion = newcomer("1017")
    RegistrationCompletion.objects.filter(npn_key=no_completion.npn_key).update(
        individual_completed_on=None
    )
    Agent.objects.filter(pk=newcomer("1018").pk).update(email="")
    newcomer("1019", display_option=DisplayOption.HOME_STATE_ONLY, home_state="TX")
    _terminate(newcomer("1020"), "T3", date(2025, 10, 1))
    # Terminated, then reinstated later, or the same day (the reinstatement wins).
    later = newcomer("1021")
    _terminate(later, "T3", date(2025, 10, 1))
    _terminate(later, "R1", date(2025, 10, 15), marketplaces="Individual")
    same_day = newcomer("1022")
    _terminate(same_day, "T3", date(2025, 10, 1))
    _terminate(same_day, "R1", date(2025, 10, 1))
    # Reinstated, then terminated again; a termination not yet in force; one for SHOP only.
    again = newcomer("1023")
    _terminate(again, "T3", date(2025, 10, 1))
    _terminate(again, "R1", date(2025, 10, 15))
    _terminate(again, "S2", date(2025, 11, 1))
    _terminate(newcomer("1024"), "T3", TODAY + timedelta(days=1))
    _terminate(newcomer("1025"), "T3", date(2025, 10, 1), marketplaces="SHOP")
    _terminate(newcomer("1026"), "T3", None)
    # A reinstatement without a date is in force but older than any dated termination.
    undated = newcomer("1027")
    _terminate(undated, "T3", date(2025, 10, 1))
    _terminate(undated, "R1", None)
    # Spellings no import writes: the database leaves them to the rules.
    _terminate(newcomer("1028"), "T3", date(2025, 10, 1), marketplaces=" individual ")
    _terminate(newcomer("1029"), "X9", date(2025, 10, 1))


INVITED = {"1001", "1009", "1012", "1016", "1019", "1021", "1022", "1024", "1025", "1029"}


def test_the_scan_invites_exactly_whom_the_rules_allow(plan_year) -> None:
    population()
    agents = list(Agent.objects.exclude(npn="1013").exclude(email="").order_by("pk"))
    facts = load_facts(agents, plan_year=plan_year, today=TODAY)
    # The rules on their own (1013 has an account, 1018 no email), as the scan once did.
    assert {a.npn for a, f in zip(agents, facts, strict=True) if may_be_invited(f)} == INVITED
    assert _scan(plan_year) == len(INVITED)
    assert _invited() == INVITED


def test_the_database_lets_through_only_whom_the_rules_may_invite(plan_year) -> None:
    population()
    # All of them, and the one termination the database cannot read with certainty (the
    # rules strip the marketplaces; the database leaves that to them).
    assert _candidates(plan_year) == INVITED | {"1028"}


def test_a_scan_after_nothing_changed_reads_no_agent_and_invites_nobody(plan_year) -> None:
    population()
    assert _scan(plan_year) == len(INVITED)
    assert _candidates(plan_year) == {"1028"}
    assert _scan(plan_year) == 0
    assert _scan(plan_year, TODAY + timedelta(days=1)) == 0
    assert _invited() == INVITED


def test_an_agent_made_eligible_by_an_import_is_invited_on_the_next_scan(plan_year) -> None:
    run("import_roster", fixture("roster.csv"))
    run("import_rcl", fixture("rcl.csv"))
    run("import_nipr", fixture("nipr.xml"))
    run("import_rtl", fixture("rtl_terminated.csv"))
    today = timezone.now().date()
    assert _scan(plan_year, today) == 2
    assert _invited() == {"0012345", "8812002"}
    assert _candidates(plan_year, today) == set()
    assert _scan(plan_year, today) == 0

    # James Carter's registration is reinstated after his termination.
    run("import_rtl", fixture("rtl_reinstated.csv"))
    assert _candidates(plan_year, today) == {"8812001"}
    assert _scan(plan_year, today) == 1
    assert _invited() == {"0012345", "8812002", "8812001"}
    assert _scan(plan_year, today) == 0


def test_an_agent_is_invited_once_a_reinstatement_comes_into_force(plan_year) -> None:
    """Eligibility can change with the date alone: no write marks the agent as changed."""
    agent = newcomer("2001")
    _terminate(agent, "T3", date(2025, 10, 1))
    _terminate(agent, "R1", TODAY + timedelta(days=3))
    assert _scan(plan_year) == 0
    assert _scan(plan_year, TODAY + timedelta(days=2)) == 0
    assert _scan(plan_year, TODAY + timedelta(days=3)) == 1
    assert _invited() == {"2001"}
