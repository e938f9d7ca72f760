"""Keeping RoutingSlot (the routing index), and the directory listings' locations, equal
to what they copy.

Every write path that changes an agent's routed states, languages, location or
availability calls one of these in the same transaction. `rebuild_slots` is the safe
default; `set_slot_availability` is the cheap path for the frequent availability flips.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from agentmatch.agents.models import Agent, AgentLanguage
from agentmatch.eligibility.models import DirectoryListing, RoutingSlot, RoutingState


def rebuild_slots(*, agent_ids: Iterable[int]) -> None:
    ids = list(set(agent_ids))
    if not ids:
        return
    place_listings(agent_ids=ids)
    RoutingSlot.objects.filter(agent_id__in=ids).delete()
    languages: dict[int, list[str]] = defaultdict(list)
    for agent_id, language in AgentLanguage.objects.filter(agent_id__in=ids).values_list(
        "agent_id", "language"
    ):
        languages[agent_id].append(language)
    agents = {
        pk: (lat, lon, available)
        for pk, lat, lon, available in Agent.objects.filter(pk__in=ids).values_list(
            "pk", "latitude", "longitude", "is_available"
        )
    }
    RoutingSlot.objects.bulk_create(
        [
            RoutingSlot(
                routing_state_id=routing_id,
                agent_id=agent_id,
                state=state,
                language=language,
                latitude=agents[agent_id][0],
                longitude=agents[agent_id][1],
                is_available=agents[agent_id][2],
            )
            for routing_id, agent_id, state in RoutingState.objects.filter(
                agent_id__in=ids
            ).values_list("pk", "agent_id", "state")
            for language in languages.get(agent_id, [])
        ],
        batch_size=1000,
    )


def place_listings(*, agent_ids: list[int] | None) -> None:
    """The directory listings' copy of where each agent is (the search's box reads it);
    None: every agent's."""
    agent = Agent.objects.filter(pk=OuterRef("agent_id"))
    listings = DirectoryListing.objects.all()
    if agent_ids is not None:
        listings = listings.filter(agent_id__in=agent_ids)
    listings.update(
        latitude=Subquery(agent.values("latitude")),
        longitude=Subquery(agent.values("longitude")),
    )


def set_slot_availability(*, agent_id: int, is_available: bool) -> None:
    set_slots_availability(agent_ids=[agent_id], is_available=is_available)


def set_slots_availability(*, agent_ids: Iterable[int], is_available: bool) -> None:
    """Several agents' slots in one statement (the offer clock pauses a batch at once)."""
    RoutingSlot.objects.filter(agent_id__in=list(agent_ids)).exclude(
        is_available=is_available
    ).update(is_available=is_available)


def rebuild_all_slots() -> None:
    """Rewrites the whole routing index in two statements (bulk loads, repairs)."""
    from django.db import connection

    slot, state = RoutingSlot._meta.db_table, RoutingState._meta.db_table
    agent, language = Agent._meta.db_table, AgentLanguage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {slot}")
        cursor.execute(
            f"""INSERT INTO {slot}
                    (routing_state_id, agent_id, state, language, latitude, longitude,
                     is_available)
                SELECT r.id, r.agent_id, r.state, l.language, a.latitude, a.longitude,
                       a.is_available
                FROM {state} r
                JOIN {agent} a ON a.id = r.agent_id
                JOIN {language} l ON l.agent_id = r.agent_id"""
        )
    place_listings(agent_ids=None)
