"""What support may do to an agent's account and routing; every action is audited.

Each function takes keyword-only arguments and an explicit `now`, writes one
OperatorAction row, and never commits on its own: the view's transaction.atomic()
makes the action and its audit row one unit. OperationError carries a message for the
operator and leaves nothing half-written (the caller's transaction rolls back).
"""

from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from agentmatch.accounts.invitations import InvitationError, resend_invitation
from agentmatch.accounts.models import DeviceToken, Invitation, User
from agentmatch.agents.models import Agent, AvailabilitySwitch
from agentmatch.agents.services import set_availability
from agentmatch.eligibility.models import RoutingState
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.operations.models import ActionKind, AgentDeactivation, OperatorAction
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.referrals.services import OfferConflict, reject_offer


class OperationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _record(*, operator: User, agent: Agent, action: str, detail: str, now: datetime) -> None:
    OperatorAction.objects.create(
        operator=operator, agent=agent, action=action, detail=detail[:500], at=now
    )


def account_of(agent: Agent) -> User | None:
    return User.objects.filter(agent=agent).first()


def is_deactivated(agent: Agent) -> bool:
    return AgentDeactivation.objects.filter(agent=agent).exists()


def resend_invitation_for(*, operator: User, agent: Agent, now: datetime) -> Invitation:
    """A new activation link replaces any open one (the worker emails it)."""
    if is_deactivated(agent):
        raise OperationError(_("This agent is deactivated: reactivate them before inviting."))
    if not agent.email:
        raise OperationError(_("This agent has no email address on file to invite."))
    try:
        plan_year = current_plan_year()
    except NoCurrentPlanYear as exc:
        raise OperationError(str(exc)) from exc
    try:
        invitation = resend_invitation(
            agent=agent, plan_year=plan_year, requested_by=operator.get_username(), now=now
        )
    except InvitationError as exc:
        raise OperationError(exc.message) from exc
    _record(
        operator=operator,
        agent=agent,
        action=ActionKind.RESEND_INVITATION,
        detail=f"new invitation {invitation.pk} for {agent.email}",
        now=now,
    )
    return invitation


def unlock_account(*, operator: User, agent: Agent, now: datetime) -> int:
    """Clears the failed-login records that lock the agent's username; returns how many."""
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
    _record(
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
    if is_deactivated(agent):
        raise OperationError(_("This agent is already deactivated."))
    try:
        with transaction.atomic():
            AgentDeactivation.objects.create(
                agent=agent,
                deactivated_at=now,
                deactivated_by=operator,
                reason=reason[:500],
                previous_switch=agent.availability_switch,
            )
    except IntegrityError as exc:
        raise OperationError(_("This agent is already deactivated.")) from exc

    signed_out = ""
    user = account_of(agent)
    if user is not None:
        # A new session epoch changes the session hash: every browser is signed out.
        User.objects.filter(pk=user.pk).update(
            is_active=False, session_epoch=F("session_epoch") + 1
        )
        DeviceToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        signed_out = f"; account {user.get_username()} disabled and signed out everywhere"
    set_availability(agent=agent, switch=AvailabilitySwitch.OFF, now=now)
    RoutingState.objects.filter(agent=agent).delete()
    withdrawn = _withdraw_pending_offers(agent=agent, now=now)

    detail = f"reason: {reason}{signed_out}"
    if withdrawn:
        detail += f"; {withdrawn} pending offer(s) passed to the next agent"
    _record(operator=operator, agent=agent, action=ActionKind.DEACTIVATE, detail=detail, now=now)


def _withdraw_pending_offers(*, agent: Agent, now: datetime) -> int:
    """Declines the agent's open offers for them so the consumers are not kept waiting."""
    withdrawn = 0
    for offer_id in Offer.objects.filter(
        agent=agent, status=OfferStatus.PENDING, expires_at__gt=now
    ).values_list("pk", flat=True):
        try:
            # The timeline must not blame the agent for a decline support made.
            reject_offer(
                offer_id=offer_id,
                agent=agent,
                now=now,
                detail="withdrawn by support: agent deactivated",
            )
        except OfferConflict:
            continue  # settled meanwhile; nothing left to withdraw
        withdrawn += 1
    return withdrawn


def reactivate_agent(*, operator: User, agent: Agent, now: datetime) -> None:
    """Undoes a deactivation: login allowed, availability and routing states restored."""
    deactivation = AgentDeactivation.objects.filter(agent=agent).first()
    if deactivation is None:
        raise OperationError(_("This agent is not deactivated."))
    try:
        plan_year = current_plan_year()
    except NoCurrentPlanYear as exc:
        raise OperationError(str(exc)) from exc
    previous_switch = deactivation.previous_switch
    deactivation.delete()
    user = account_of(agent)
    if user is not None:
        User.objects.filter(pk=user.pk).update(is_active=True)
    set_availability(agent=agent, switch=previous_switch, now=now)
    refresh_routing_states(agents=[agent], plan_year=plan_year, today=now.date())
    states = sorted(RoutingState.objects.filter(agent=agent).values_list("state", flat=True))
    routed = ", ".join(states) or "no state"
    _record(
        operator=operator,
        agent=agent,
        action=ActionKind.REACTIVATE,
        detail=f"availability back to {previous_switch}; routed for {routed}",
        now=now,
    )
