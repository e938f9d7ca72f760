"""`load_demo` as one use case: plan year 2026, demo agents and the demo logins, together."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from agentmatch.accounts.devices import issue_device_token
from agentmatch.accounts.models import Role, User
from agentmatch.agents.models import Agent
from agentmatch.demo.data import MADISON_NPN, demo_agents
from agentmatch.demo.loader import LoadResult, demo_agents_in_db, load_demo_agents, remove_demo
from agentmatch.eligibility.services import refresh_all_routing_states
from agentmatch.planyears.services import STATES_SERVED_2026, define_plan_year

DEMO_YEAR = 2026
# Demo data only: printed on every run, never used outside a demo database.
DEMO_USERNAME = "lucia.demo"
DEMO_PASSWORD = "Demo#Agent26"
DEMO_OPERATOR = "olivia.ops"
DEMO_OPERATOR_PASSWORD = "Demo#Ops2026"
DEMO_ADMINISTRATOR = "ada.admin"
DEMO_ADMINISTRATOR_PASSWORD = "Demo#Admin26"


@dataclass(frozen=True)
class DemoLoad:
    removed: int | None  # with reset: how many demo agents were deleted first
    already_loaded: int  # demo agents found (nothing new loaded when > 0)
    loaded: LoadResult | None
    madison: Agent | None
    token: str | None  # a fresh API token for the Madison demo agent


def load_demo(*, count: int, seed: int, reset: bool, now: datetime) -> DemoLoad:
    """Loads the demo once (reset: again); always gives a fresh token for the demo agent.

    Raises loader.DemoConflict when real agents hold the demo NPNs.
    """
    with transaction.atomic(durable=True):
        plan_year = define_plan_year(year=DEMO_YEAR, states=STATES_SERVED_2026, make_current=True)
        removed = remove_demo(plan_year=DEMO_YEAR) if reset else None
        existing = demo_agents_in_db().count()
        loaded = None
        if not existing:
            specs = demo_agents(count=count, seed=seed, today=now.date())
            loaded = load_demo_agents(specs=specs, plan_year=DEMO_YEAR, now=now)
        refresh_all_routing_states(plan_year=plan_year, today=now.date())
        madison = Agent.objects.filter(npn=MADISON_NPN).first()
        account = User.objects.filter(agent=madison).first() if madison else None
        token = None
        if account is not None:
            # A known password so a newcomer can log in to the agent pages at once.
            account.username = DEMO_USERNAME
            account.set_password(DEMO_PASSWORD)
            account.save(update_fields=["username", "password"])
            token = issue_device_token(user=account, name="Demo (load_demo)", now=now)
        for username, role, password in (
            (DEMO_OPERATOR, Role.OPERATOR, DEMO_OPERATOR_PASSWORD),
            (DEMO_ADMINISTRATOR, Role.ADMINISTRATOR, DEMO_ADMINISTRATOR_PASSWORD),
        ):
            login, _ = User.objects.get_or_create(
                username=username, defaults={"role": role, "email": f"{username}@example.org"}
            )
            login.set_password(password)
            login.save(update_fields=["password"])
    return DemoLoad(
        removed=removed, already_loaded=existing, loaded=loaded, madison=madison, token=token
    )
