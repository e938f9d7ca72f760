"""The steps operations.actions composes: the audit row, the agent's account, withdrawing
offers. They never commit on their own; OperationError carries a message for the operator.
"""

from datetime import datetime

from agentmatch.accounts.models import User
from agentmatch.agents.models import Agent
from agentmatch.eligibility.models import AgentDeactivation
from agentmatch.operations.models import OperatorAction
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.referrals.services import OfferConflict, reject_offer


class OperationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def record(*, operator: User, agent: Agent, action: str, detail: str, now: datetime) -> None:
    OperatorAction.objects.create(
        operator=operator, agent=agent, action=action, detail=detail[:500], at=now
    )


def account_of(agent: Agent) -> User | None:
    return User.objects.filter(agent=agent).first()


def is_deactivated(agent: Agent) -> bool:
    return AgentDeactivation.objects.filter(agent=agent).exists()


def withdraw_pending_offers(*, agent: Agent, now: datetime) -> int:
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
                code="withdrawn_agent_deactivated",
            )
        except OfferConflict:
            continue  # settled meanwhile; nothing left to withdraw
        withdrawn += 1
    return withdrawn
