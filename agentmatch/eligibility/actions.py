"""Use cases that change who is routed where for everyone at once.

Each action owns its transaction: served states, the current year and the routing states
derived from them change together, so routing never runs on a half-updated table.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from agentmatch.core.states import STATE_CHOICES
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.eligibility.routing_table import rebuild_all_slots
from agentmatch.eligibility.services import refresh_all_routing_states
from agentmatch.planyears.models import PlanYear, ServedState
from agentmatch.planyears.services import define_plan_year, served_states, set_intake

EARLIEST_PLAN_YEAR, LATEST_PLAN_YEAR = 2014, 2100
STATE_CODES = frozenset(code for code, _name in STATE_CHOICES)


class PlanYearError(ValueError):
    """A plan-year change that breaks a rule; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PlanYearChange:
    plan_year: PlanYear
    served: list[str]
    sbm_fp: list[str]
    # None: not the current year, routing untouched; otherwise the agents who gained a state.
    gained: set[int] | None


def states_with_platform(plan_year: PlanYear) -> list[str]:
    """The year's served states in the input form: 'AR*' marks an SBM-FP state."""
    return [
        s.state + ("*" if s.platform == ServedState.Platform.SBM_FP else "")
        for s in plan_year.served_states.all()
    ]


PAUSED_MESSAGE_MAX = 300  # PlanYear.intake_paused_message(_es).max_length


def check_paused_message(text: str | None, field: str = "message") -> None:
    """A message consumers read: short enough for its column, no control characters
    (line breaks included: it is shown as one paragraph)."""
    if text is None:
        return
    if len(text) > PAUSED_MESSAGE_MAX:
        raise PlanYearError(
            field, f"The message is too long ({len(text)} characters, at most {PAUSED_MESSAGE_MAX})"
        )
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise PlanYearError(field, "The message contains a control character")


def check_states(states: list[str]) -> None:
    """Each item a US state or territory code, optionally ending in '*' (SBM-FP)."""
    for item in states:
        if item.rstrip("*") not in STATE_CODES or item.count("*") > 1:
            raise PlanYearError("states", f"'{item}' is not a US state code")


def configure_plan_year(
    *,
    year: int,
    states: list[str] | None,
    make_current: bool,
    intake_open: bool | None,
    paused_message: str | None,
    now: datetime,
    paused_message_es: str | None = None,
) -> PlanYearChange:
    """Creates or changes a plan year; for the current year, refreshes every agent's routing.

    `states` None keeps an existing year's states. Refreshing on every call is cheap enough,
    and it makes this the way to repair a stale routing table.
    """
    with transaction.atomic(durable=True):
        return change_plan_year(
            year=year,
            states=states,
            make_current=make_current,
            intake_open=intake_open,
            paused_message=paused_message,
            paused_message_es=paused_message_es,
            now=now,
        )


def change_plan_year(
    *,
    year: int,
    states: list[str] | None,
    make_current: bool,
    intake_open: bool | None,
    paused_message: str | None,
    now: datetime,
    paused_message_es: str | None = None,
) -> PlanYearChange:
    """`configure_plan_year` inside the caller's transaction: for an action that must write
    its own records (an administrator's audit row) in the same transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("change_plan_year runs inside its caller's transaction")
    if not EARLIEST_PLAN_YEAR <= year <= LATEST_PLAN_YEAR:
        raise PlanYearError("year", f"'{year}' is not a plausible plan year")
    if (paused_message or paused_message_es) and intake_open is True:
        raise PlanYearError(
            "message" if paused_message else "message_es",
            "The message is shown while intake is paused: pause intake to set it",
        )
    check_paused_message(paused_message, "message")
    check_paused_message(paused_message_es, "message_es")
    if states is not None:
        check_states(states)
    with transaction.atomic():
        existing = PlanYear.objects.filter(year=year).first()
        if states is None:
            if existing is None:
                raise PlanYearError(
                    "states", f"Plan year {year} does not exist yet: give its served states"
                )
            states = states_with_platform(existing)
        plan_year = define_plan_year(year=year, states=states, make_current=make_current)
        if intake_open is not None or paused_message is not None or paused_message_es is not None:
            is_open = intake_open if intake_open is not None else plan_year.intake_open
            # The messages given replace both; one not given is cleared with it, as before.
            set_intake(
                plan_year=plan_year,
                open=is_open,
                message=paused_message or "",
                message_es=paused_message_es or "",
            )
        plan_year.refresh_from_db()
        gained = (
            refresh_all_routing_states(plan_year=plan_year, today=now.date())
            if plan_year.is_current
            else None
        )
        served = sorted(served_states(plan_year))
    return PlanYearChange(
        plan_year=plan_year,
        served=served,
        sbm_fp=sorted(s.rstrip("*") for s in states if s.endswith("*")),
        gained=gained,
    )


def rebuild_routing_index() -> tuple[int, int]:
    """Rewrites the routing index from its sources; returns the slot counts before and after.

    The application keeps the index in step by itself: this repairs it after data was
    changed by hand or loaded in bulk outside the application.
    """
    with transaction.atomic(durable=True):
        before = RoutingSlot.objects.count()
        rebuild_all_slots()
        return before, RoutingSlot.objects.count()
