"""Administrators' controls of the service itself: consumer intake, plan years, served states.

Each action opens its own durable transaction, locks the plan year it changes, calls into
eligibility (which changes the year and every agent's routing states together) and writes
its ControlChange row, so the change and its audit row commit together or not at all.
`set_plan_year` (the command) calls eligibility directly, with no operator to record.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from agentmatch.accounts.models import User
from agentmatch.eligibility.actions import (
    PlanYearChange,
    PlanYearError,
    change_plan_year,
    check_paused_message,
    states_with_platform,
)
from agentmatch.eligibility.models import RoutingState
from agentmatch.operations.models import ControlChange, ControlKind
from agentmatch.operations.services import OperationError
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import served_states, set_intake
from agentmatch.referrals.models import OPEN_STATUSES, Referral


@dataclass(frozen=True)
class StateImpact:
    """What leaving a state behind touches right now."""

    state: str
    open_referrals: int
    routed_agents: int


class NeedsConfirmation(OperationError):
    """Removing states that are in use: the administrator must see the counts and confirm."""

    def __init__(self, impacts: list[StateImpact]) -> None:
        super().__init__(_("Removing these states affects open requests or routed agents."))
        self.impacts = impacts


def _audit(
    *, operator: User, kind: str, plan_year: PlanYear, detail: dict[str, Any], now: datetime
) -> None:
    ControlChange.objects.create(
        operator=operator, kind=kind, subject=str(plan_year.year), detail=detail, at=now
    )


def _lock(year: int) -> PlanYear:
    found = PlanYear.objects.select_for_update().filter(year=year).first()
    if found is None:
        raise OperationError(_("There is no plan year %(year)s.") % {"year": year})
    return found


def _intake(plan_year: PlanYear) -> dict[str, Any]:
    return {
        "open": plan_year.intake_open,
        "message": plan_year.intake_paused_message,
        "message_es": plan_year.intake_paused_message_es,
    }


def _translated(exc: PlanYearError) -> OperationError:
    # Forms check the same rules first, in the operator's language; this is the backstop.
    return OperationError(exc.message)


def change_intake(
    *, operator: User, year: int, open: bool, message: str, message_es: str, now: datetime
) -> ControlChange | None:
    """Pauses or resumes intake for the year, or changes its messages (both languages).

    The messages are kept when intake resumes, ready for the next pause. Returns the audit
    row, or None when nothing changed (a double-click).
    """
    with transaction.atomic(durable=True):
        plan_year = _lock(year)
        before = _intake(plan_year)
        try:
            check_paused_message(message, "message")
            check_paused_message(message_es, "message_es")
        except PlanYearError as exc:
            raise _translated(exc) from exc
        # Only the intake switch and its messages: states and routing stay as they are.
        set_intake(plan_year=plan_year, open=open, message=message, message_es=message_es)
        plan_year.refresh_from_db()
        after = _intake(plan_year)
        if after == before:
            return None
        if before["open"] and not open:
            kind = ControlKind.INTAKE_PAUSED
        elif open and not before["open"]:
            kind = ControlKind.INTAKE_RESUMED
        else:
            kind = ControlKind.INTAKE_MESSAGE
        change = ControlChange.objects.create(
            operator=operator,
            kind=kind,
            subject=str(year),
            detail={"before": before, "after": after},
            at=now,
        )
    return change


def create_plan_year(
    *, operator: User, year: int, states: list[str], now: datetime
) -> PlanYearChange:
    """A new plan year with its served states; intake open, not yet the current year."""
    if not states:
        raise OperationError(_("Choose at least one state served."))
    with transaction.atomic(durable=True):
        if PlanYear.objects.filter(year=year).exists():
            raise OperationError(_("Plan year %(year)s already exists.") % {"year": year})
        try:
            change = change_plan_year(
                year=year,
                states=states,
                make_current=False,
                intake_open=None,
                paused_message=None,
                now=now,
            )
        except PlanYearError as exc:
            raise _translated(exc) from exc
        _audit(
            operator=operator,
            kind=ControlKind.PLAN_YEAR_CREATED,
            plan_year=change.plan_year,
            detail={"before": None, "after": {"states": sorted(states)}},
            now=now,
        )
    return change


def make_current(*, operator: User, year: int, now: datetime) -> PlanYearChange:
    """The year becomes the current one: intake and every agent's routing follow it."""
    with transaction.atomic(durable=True):
        plan_year = _lock(year)
        if plan_year.is_current:
            raise OperationError(
                _("Plan year %(year)s is already the current one.") % {"year": year}
            )
        previous = PlanYear.objects.filter(is_current=True).values_list("year", flat=True).first()
        try:
            change = change_plan_year(
                year=year,
                states=None,
                make_current=True,
                intake_open=None,
                paused_message=None,
                now=now,
            )
        except PlanYearError as exc:
            raise _translated(exc) from exc
        _audit(
            operator=operator,
            kind=ControlKind.PLAN_YEAR_CURRENT,
            plan_year=plan_year,
            detail={"before": previous, "after": year},
            now=now,
        )
    return change


def impact_of_removing(states: set[str]) -> list[StateImpact]:
    """Open requests and routed agents in each state (routing is the current year's)."""
    impacts = []
    for state in sorted(states):
        referrals = Referral.objects.filter(state=state, status__in=OPEN_STATUSES).count()
        agents = RoutingState.objects.filter(state=state).count()
        if referrals or agents:
            impacts.append(StateImpact(state, referrals, agents))
    return impacts


def set_served_states(
    *, operator: User, year: int, states: list[str], confirmed: bool, now: datetime
) -> PlanYearChange | None:
    """Replaces the year's served states ('AR*' = SBM-FP). For the current year, removing a
    state in use raises NeedsConfirmation unless `confirmed`. None when nothing changed."""
    if not states:
        raise OperationError(_("Choose at least one state served."))
    with transaction.atomic(durable=True):
        plan_year = _lock(year)
        before = sorted(states_with_platform(plan_year))
        if before == sorted(states):
            return None
        removed = served_states(plan_year) - {s.rstrip("*") for s in states}
        if plan_year.is_current and removed and not confirmed:
            impacts = impact_of_removing(removed)
            if impacts:
                raise NeedsConfirmation(impacts)
        try:
            change = change_plan_year(
                year=year,
                states=states,
                make_current=False,
                intake_open=None,
                paused_message=None,
                now=now,
            )
        except PlanYearError as exc:
            raise _translated(exc) from exc
        after = sorted(states)
        _audit(
            operator=operator,
            kind=ControlKind.SERVED_STATES,
            plan_year=plan_year,
            detail={
                "before": before,
                "after": after,
                "added": sorted({s.rstrip("*") for s in after} - {s.rstrip("*") for s in before}),
                "removed": sorted(removed),
            },
            now=now,
        )
    return change
