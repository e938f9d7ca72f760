"""The agent status events (AgentStatusEvent) integrators are told about by webhooks.

Steps that never commit: the caller's transaction writes the event with the change, so
an event exists exactly when its change was committed.
"""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from agentmatch.eligibility.models import AgentStatusEvent, AgentStatusKind


def availability_changed(*, agent_id: int, is_available: bool, now: datetime) -> None:
    availabilities_changed(agent_ids=[agent_id], is_available=is_available, now=now)


def availabilities_changed(*, agent_ids: Iterable[int], is_available: bool, now: datetime) -> None:
    """One event per agent, in one insert (a batch of missed offers pauses several)."""
    AgentStatusEvent.objects.bulk_create(
        AgentStatusEvent(
            agent_id=agent_id,
            kind=AgentStatusKind.AVAILABILITY,
            at=now,
            params={"is_available": is_available},
        )
        for agent_id in agent_ids
    )


def eligibility_changed(changes: Iterable[tuple[int, set[str]]]) -> None:
    """One event per agent whose routed states changed, with the states they now have.

    refresh_routing_states knows only today's date, so the event is stamped with the clock.
    """
    now = timezone.now()
    AgentStatusEvent.objects.bulk_create(
        AgentStatusEvent(
            agent_id=agent_id,
            kind=AgentStatusKind.ELIGIBILITY,
            at=now,
            params={"states": sorted(states)},
        )
        for agent_id, states in changes
    )
