"""Why an agent can or cannot receive referrals in each state: the profile's table."""

from datetime import datetime
from typing import Any

from agentmatch.agents.models import Agent
from agentmatch.eligibility.rules import explain
from agentmatch.eligibility.services import facts_for
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year


def state_eligibility(agent: Agent, *, now: datetime) -> list[dict[str, Any]]:
    """Per state (served or licensed): can the agent receive referrals there, and if not, why."""
    try:
        plan_year = current_plan_year()
    except NoCurrentPlanYear:
        return []
    facts = facts_for(agent, plan_year=plan_year, today=now.date())
    states = sorted(set(facts.served_states) | set(facts.licenses))
    rows = []
    for state in states:
        checks = explain(facts, state)
        failed = [c for c in checks if not c.passed]
        rows.append(
            {
                "state": state,
                "ok": not failed,
                "licensed": state in facts.licenses,
                "reasons": [c.detail for c in failed],
            }
        )
    # Licensed states first: those are the ones agents ask about.
    rows.sort(key=lambda r: (not r["licensed"], r["state"]))
    return rows
