"""Storing an agent's own facts that the routing index copies, and keeping it in step.

The steps in agents (services, profile, contact) write only agents' tables and say what
changed; the routing index (RoutingSlot) lives here, one layer up. Every write path that
changes an agent's availability, location or languages goes through one of these (or calls
`routing_table` itself in the same transaction), so the index never lags behind the agent.
None of them commits: the caller's action owns the transaction.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from agentmatch.agents.availability import Availability
from agentmatch.agents.contact import ContactDetails, store_contact
from agentmatch.agents.models import Agent
from agentmatch.agents.profile import ProfileData, SavedProfile, store_profile
from agentmatch.agents.schedule import HoursRange
from agentmatch.agents.services import (
    MissedOfferPause,
    change_availability_settings,
    pause_after_missed_offers,
    store_availability,
)
from agentmatch.eligibility.agent_events import availabilities_changed, availability_changed
from agentmatch.eligibility.routing_table import (
    rebuild_slots,
    set_slot_availability,
    set_slots_availability,
)

LOCATION_FIELDS = frozenset({"latitude", "longitude"})


def refresh_availability(*, agent: Agent, now: datetime) -> Availability:
    """Stores the availability resolved at `now` (and when to look again), and the index's."""
    # The stored value, not the instance's (it may be stale): an event only on a change.
    was = Agent.objects.filter(pk=agent.pk).values_list("is_available", flat=True).first()
    result = store_availability(agent=agent, now=now)
    set_slot_availability(agent_id=agent.pk, is_available=result.is_available)
    if was is not None and was != result.is_available:
        availability_changed(agent_id=agent.pk, is_available=result.is_available, now=now)
    return result


def set_availability(
    *,
    agent: Agent,
    now: datetime,
    switch: str | None = None,
    weekly_hours: Sequence[HoursRange] | None = None,
    absences: Sequence[tuple[date, date, str]] | None = None,
) -> Availability:
    """Changes whichever of switch, weekly hours and absences are given, with the same
    rules as every door, and stores the resulting availability (for jobs and tests that
    run inside their own transaction). Never commits."""
    change_availability_settings(
        agent=agent, now=now, switch=switch, weekly_hours=weekly_hours, absences=absences
    )
    return refresh_availability(agent=agent, now=now)


def pause_for_missed_offers(
    *, agent_ids: Iterable[int], now: datetime
) -> dict[int, MissedOfferPause]:
    """Switches agents off after a missed offer, remembering their mode (see
    agents.services.pause_after_missed_offers), and keeps the index and the status events
    in step: four statements for a whole batch of expired offers. Never commits."""
    pauses = pause_after_missed_offers(agent_ids=agent_ids, now=now)
    paused = [p.agent_id for p in pauses.values() if p.paused_now]
    if paused:
        set_slots_availability(agent_ids=paused, is_available=False)
        availabilities_changed(
            agent_ids=[p.agent_id for p in pauses.values() if p.paused_now and p.was_available],
            is_available=False,
            now=now,
        )
    return pauses


def pause_for_missed_offer(*, agent: Agent, now: datetime) -> bool:
    """pause_for_missed_offers for one agent, whose instance gets the stored fields. True
    when this call paused them. Never commits."""
    pause = pause_for_missed_offers(agent_ids=[agent.pk], now=now)[agent.pk]
    agent.refresh_from_db(
        fields=[
            "availability_switch",
            "paused_after_missed_offer_at",
            "mode_before_pause",
            "is_available",
            "availability_checked_at",
            "availability_changes_at",
        ]
    )
    return pause.paused_now


def save_profile(*, data: ProfileData, now: datetime) -> SavedProfile:
    """Creates the agent or updates what changed (MLMS data, never a field the agent
    edited here: those come back as conflicts)."""
    saved = store_profile(data=data, now=now)
    if saved.index_stale:
        rebuild_slots(agent_ids=[saved.agent.pk])
    return saved


def update_contact(*, agent: Agent, details: ContactDetails, now: datetime) -> list[str]:
    """Stores the agent's own contact details; returns the fields that changed.

    The index holds the location: rebuilt when the ZIP moved the agent.
    """
    changed = store_contact(agent=agent, details=details, now=now)
    if LOCATION_FIELDS & set(changed):
        rebuild_slots(agent_ids=[agent.pk])
    return changed
