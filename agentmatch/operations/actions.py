"""What support may do to an agent's account and routing, one function per action.

Each action opens its own durable transaction, locks the agent's row first (one action
on an agent at a time: a double-click cannot deactivate twice), checks its rules, does
the work and writes its OperatorAction row. OperationError leaves nothing half-written.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agentmatch.accounts.devices import end_every_session
from agentmatch.accounts.invitations import InvitationError, resend_invitation
from agentmatch.accounts.models import Invitation, Role, User
from agentmatch.accounts.text import has_control_characters
from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.core import time_zones
from agentmatch.eligibility.agent_facts import set_availability
from agentmatch.eligibility.models import AgentDeactivation, DirectoryListing, RoutingState
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.notifications import undeliverable
from agentmatch.operations import exports
from agentmatch.operations.models import ActionKind, DataExport, ExportKind
from agentmatch.operations.services import (
    OperationError,
    account_of,
    is_deactivated,
    record,
    withdraw_pending_offers,
)
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year
from agentmatch.referrals.services import offer_waiting_referrals


def _lock(agent: Agent) -> Agent:
    return Agent.objects.select_for_update().get(pk=agent.pk)


def _plan_year() -> PlanYear:
    try:
        return current_plan_year()
    except NoCurrentPlanYear as exc:
        raise OperationError(str(exc)) from exc


def resend_invitation_for(*, operator: User, agent: Agent, now: datetime) -> Invitation:
    """A new activation link replaces any open one (the worker emails it)."""
    with transaction.atomic(durable=True):
        agent = _lock(agent)
        if is_deactivated(agent):
            raise OperationError(_("This agent is deactivated: reactivate them before inviting."))
        if not agent.email:
            raise OperationError(_("This agent has no email address on file to invite."))
        try:
            invitation = resend_invitation(
                agent=agent,
                plan_year=_plan_year(),
                requested_by=operator.get_username(),
                now=now,
            )
        except InvitationError as exc:
            raise OperationError(exc.message) from exc
        record(
            operator=operator,
            agent=agent,
            action=ActionKind.RESEND_INVITATION,
            detail=f"new invitation {invitation.pk} for {agent.email}",
            now=now,
        )
    return invitation


def unlock_account(*, operator: User, agent: Agent, now: datetime) -> int:
    """Clears the failed-login records that lock the agent's username; returns how many."""
    with transaction.atomic(durable=True):
        agent = _lock(agent)
        user = account_of(agent)
        if user is None:
            raise OperationError(_("This agent has no account to unlock."))
        # Failures are recorded under the username as typed, so every spelling counts.
        typed = (
            AccessAttempt.objects.filter(username__iexact=user.get_username())
            .values_list("username", flat=True)
            .distinct()
        )
        cleared = sum(axes_reset(username=name) for name in list(typed))
        record(
            operator=operator,
            agent=agent,
            action=ActionKind.UNLOCK,
            detail=f"cleared {cleared} failed-login record(s) for {user.get_username()}",
            now=now,
        )
    return cleared


def deactivate_agent(*, operator: User, agent: Agent, reason: str, now: datetime) -> None:
    """Takes the agent out of service: no login, no app or API access, no referrals.

    The AgentDeactivation row is what keeps it so: the eligibility rules read it, so no
    routing refresh, import or availability change can route to the agent again.
    """
    reason = reason.strip()
    if not reason:
        raise OperationError(_("Give a reason for deactivating this agent."))
    if has_control_characters(reason):
        raise OperationError(_("The reason contains a control character."))
    with transaction.atomic(durable=True):
        agent = _lock(agent)
        if is_deactivated(agent):
            raise OperationError(_("This agent is already deactivated."))
        try:
            with transaction.atomic():
                AgentDeactivation.objects.create(
                    agent=agent,
                    deactivated_at=now,
                    deactivated_by=operator,
                    reason=reason[:500],
                    # An agent paused after a missed offer comes back to their own mode.
                    previous_switch=agent.mode_before_pause or agent.availability_switch,
                )
        except IntegrityError as exc:
            raise OperationError(_("This agent is already deactivated.")) from exc
        signed_out = ""
        user = account_of(agent)
        if user is not None:
            User.objects.filter(pk=user.pk).update(is_active=False)
            end_every_session(user=user, now=now)
            signed_out = f"; account {user.get_username()} disabled and signed out everywhere"
        set_availability(agent=agent, switch=AvailabilitySwitch.OFF, now=now)
        RoutingState.objects.filter(agent=agent).delete()
        DirectoryListing.objects.filter(agent=agent).delete()
        withdrawn = withdraw_pending_offers(agent=agent, now=now)
        detail = f"reason: {reason}{signed_out}"
        if withdrawn:
            detail += f"; {withdrawn} pending offer(s) passed to the next agent"
        record(operator=operator, agent=agent, action=ActionKind.DEACTIVATE, detail=detail, now=now)


def reactivate_agent(*, operator: User, agent: Agent, now: datetime) -> None:
    """Undoes a deactivation: login allowed, availability and routing states restored."""
    with transaction.atomic(durable=True):
        agent = _lock(agent)
        deactivation = AgentDeactivation.objects.filter(agent=agent).first()
        if deactivation is None:
            raise OperationError(_("This agent is not deactivated."))
        plan_year = _plan_year()
        previous_switch = deactivation.previous_switch
        deactivation.delete()
        user = account_of(agent)
        if user is not None:
            User.objects.filter(pk=user.pk).update(is_active=True)
        set_availability(agent=agent, switch=previous_switch, now=now)
        refresh_routing_states(agents=[agent], plan_year=plan_year, today=now.date())
        states = sorted(RoutingState.objects.filter(agent=agent).values_list("state", flat=True))
        routed = ", ".join(states) or "no state"
        # Anyone who waited for an agent like this one is offered to them now.
        offer_waiting_referrals(now=now, agent=agent)
        record(
            operator=operator,
            agent=agent,
            action=ActionKind.REACTIVATE,
            detail=f"availability back to {previous_switch}; routed for {routed}",
            now=now,
        )


def clear_undeliverable_phone(*, operator: User, agent: Agent, now: datetime) -> None:
    """Texts may go to the agent's cell phone again (the agent fixed the number or the line).

    The next text that fails the same way marks the number again.
    """
    with transaction.atomic(durable=True):
        agent = _lock(agent)
        mark = undeliverable.undeliverable(agent.cell_phone)
        if mark is None:
            raise OperationError(_("Texts to this agent's cell phone are not marked as failing."))
        undeliverable.clear(agent.cell_phone)
        record(
            operator=operator,
            agent=agent,
            action=ActionKind.CLEAR_UNDELIVERABLE,
            # The code, not the number: audit rows are shown on the page.
            detail=f"texts to the agent's cell phone allowed again (was code {mark.error_code})",
            now=now,
        )


# A plan year and its open enrollment fit; longer is a database dump, not a download.
LONGEST_EXPORT = timedelta(days=400)


@dataclass(frozen=True)
class Export:
    filename: str
    header: list[str]
    rows: Iterator[Sequence[Any]]
    record: DataExport


def start_export(
    *,
    operator: User,
    kind: str,
    start: datetime,
    end: datetime,
    with_contact_details: bool,
    now: datetime,
) -> Export:
    """Records who exports what before anything leaves, then hands back the rows (read
    a few thousand at a time while the download streams, outside this transaction)."""
    if kind not in ExportKind.values:
        raise OperationError(_("Choose referrals, offers or unmatched requests."))
    if not start < end:
        raise OperationError(_("The period must end after it starts."))
    if end - start > LONGEST_EXPORT:
        raise OperationError(_("Export at most 400 days at a time."))
    if with_contact_details and operator.role != Role.ADMINISTRATOR:
        raise OperationError(_("Only administrators may export consumers' contact details."))
    with transaction.atomic(durable=True):
        record = DataExport.objects.create(
            operator=operator,
            kind=kind,
            period_start=start,
            period_end=end,
            with_contact_details=with_contact_details,
            rows=exports.count(kind, start, end),
            at=now,
        )
    day = timedelta(days=1)
    filename = f"agentmatch-{kind}-{start:%Y-%m-%d}-to-{(end - day):%Y-%m-%d}.csv"
    return Export(
        filename=filename,
        header=exports.header(kind, with_contact_details),
        rows=exports.rows(kind, start, end, with_contact_details),
        record=record,
    )


def choose_time_zone(*, operator: User, zone: str) -> None:
    """The operator's own zone for the support pages ("" for the service's default)."""
    if zone and zone not in time_zones.NAMES:
        raise OperationError(_("Choose a time zone from the list."))
    with transaction.atomic(durable=True):
        User.objects.filter(pk=operator.pk).update(time_zone=zone)
    operator.time_zone = zone
