"""Who owns each profile field: MLMS (changed there, read-only here) or the agent (here).

The tip sheets decide it. Name, email and NPN "come from your MLMS profile; to update any
of them, log in to MLMS" (002, 004); the display option is "set in MLMS" (000, 003); Help
On Demand training is completed in MLMS (001). Cell phone, Preferred Contact Method and
ZIP code are what the agent enters at registration here (002, 004), and the agent is told
to review the languages MLMS provided (000, 003): so languages and the ZIP (which places
the agent for routing and sets the time zone) follow MLMS only until the agent changes
them here. From then on a roster re-import keeps the agent's value and records a
conflict (imports.ProfileConflict) for the operator instead of overwriting it, because
either field silently changes whom the agent is matched with and how far away.

Cell phone, contact method, state preferences and availability are never in the roster:
they are the agent's alone.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from agentmatch.agents.models import Agent, AgentLanguage, EditedField
from agentmatch.agents.services import set_languages


class Owner(StrEnum):
    MLMS = "mlms"  # read-only here: "change it in MLMS"
    AGENT_ONCE_EDITED = "agent_once_edited"  # follows MLMS until the agent edits it here
    AGENT = "agent"  # only ever set here


@dataclass(frozen=True)
class OwnedField:
    name: str  # the key in EditedField, ProfileConflict and the import summary
    label: str  # the operator's word in the import summary
    owner: Owner
    columns: tuple[str, ...]  # the Agent columns (or table) it covers


LANGUAGES = "languages"
ZIP = "zip"

FIELDS: tuple[OwnedField, ...] = (
    OwnedField("name", "name", Owner.MLMS, ("first_name", "last_name")),
    OwnedField("email", "email", Owner.MLMS, ("email",)),
    OwnedField("npn", "NPN", Owner.MLMS, ("npn", "npn_key")),
    OwnedField("display_option", "display option", Owner.MLMS, ("display_option",)),
    OwnedField("home_state", "home state", Owner.MLMS, ("home_state",)),
    OwnedField("business_street", "business street", Owner.MLMS, ("business_street",)),
    OwnedField("training", "Help On Demand training", Owner.MLMS, ()),
    OwnedField(LANGUAGES, "languages", Owner.AGENT_ONCE_EDITED, ("languages",)),
    # The ZIP brings the city, the coordinates routing sorts by and the time zone with it.
    OwnedField(
        ZIP,
        "ZIP",
        Owner.AGENT_ONCE_EDITED,
        ("business_zip", "business_city", "latitude", "longitude", "time_zone"),
    ),
    OwnedField("cell_phone", "cell phone", Owner.AGENT, ("cell_phone",)),
    OwnedField("contact_method", "contact method", Owner.AGENT, ("contact_method",)),
)
BY_NAME = {f.name: f for f in FIELDS}
# The fields the roster may not overwrite once the agent has edited them here.
GUARDED = tuple(f for f in FIELDS if f.owner == Owner.AGENT_ONCE_EDITED)


@dataclass(frozen=True)
class Conflict:
    """MLMS says `mlms_value` for a field the agent set to `our_value` here; ours is kept."""

    field: str
    mlms_value: str
    our_value: str


def edited_here(agent: Agent) -> set[str]:
    return set(EditedField.objects.filter(agent=agent).values_list("field", flat=True))


def mark_edited(*, agent: Agent, fields: Iterable[str], now: datetime) -> None:
    """The agent changed these guarded fields here: from now on they are the agent's."""
    for name in fields:
        if BY_NAME[name].owner != Owner.AGENT_ONCE_EDITED:
            raise ValueError(f"{name} is not a field the agent takes over by editing it")
        EditedField.objects.update_or_create(agent=agent, field=name, defaults={"edited_at": now})


def set_own_languages(*, agent: Agent, languages: list[str], now: datetime) -> bool:
    """The agent's own choice of languages; marks them edited here when they changed.
    Returns whether they changed. The caller rebuilds the routing index."""
    have = set(AgentLanguage.objects.filter(agent=agent).values_list("language", flat=True))
    set_languages(agent=agent, languages=languages)
    if have == set(languages):
        return False
    mark_edited(agent=agent, fields=[LANGUAGES], now=now)
    return True
