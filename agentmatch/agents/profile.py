"""Creating and updating an agent's profile from MLMS/CMS data, with validation."""

from dataclasses import dataclass
from datetime import datetime

from agentmatch.agents.models import Agent, ContactMethod, DisplayOption
from agentmatch.agents.ownership import BY_NAME, LANGUAGES, ZIP, Conflict, edited_here
from agentmatch.agents.services import set_languages
from agentmatch.core.geo import UnknownZip, lookup_zip
from agentmatch.core.languages import normalize_language
from agentmatch.core.npn import normalize_npn, npn_key
from agentmatch.core.phones import normalize_phone
from agentmatch.core.states import normalize_state


class ProfileError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ProfileData:
    npn: str
    first_name: str
    last_name: str
    email: str = ""
    cell_phone: str = ""
    business_street: str = ""
    business_city: str = ""
    business_zip: str = ""
    home_state: str = ""
    languages: tuple[str, ...] = ("en",)
    display_option: int = DisplayOption.ALL_STATES
    contact_method: str | None = None


def clean_profile(data: ProfileData) -> dict[str, object]:
    """Validates and normalises; raises ProfileError naming the first bad field."""
    try:
        npn = normalize_npn(data.npn)
    except ValueError as exc:
        raise ProfileError("npn", str(exc)) from exc
    if not data.first_name.strip() or not data.last_name.strip():
        raise ProfileError("name", "first and last name are required")
    fields: dict[str, object] = {
        "npn": npn,
        "npn_key": npn_key(npn),
        "first_name": data.first_name.strip()[:100],
        "last_name": data.last_name.strip()[:100],
        "email": data.email.strip()[:254],
        "business_street": data.business_street.strip()[:200],
    }
    if data.cell_phone.strip():
        try:
            fields["cell_phone"] = normalize_phone(data.cell_phone)
        except ValueError as exc:
            raise ProfileError("phone", str(exc)) from exc
    try:
        place = lookup_zip(data.business_zip)
    except UnknownZip as exc:
        raise ProfileError("zip", str(exc)) from exc
    fields.update(
        business_zip=place.zip_code,
        business_city=data.business_city.strip()[:100] or place.city,
        latitude=place.latitude,
        longitude=place.longitude,
        time_zone=place.time_zone,
    )
    try:
        fields["home_state"] = normalize_state(data.home_state) if data.home_state else place.state
    except ValueError as exc:
        raise ProfileError("home_state", str(exc)) from exc
    if data.display_option not in DisplayOption.values:
        raise ProfileError("display_option", f"'{data.display_option}' is not 1, 2, 3 or 4")
    fields["display_option"] = data.display_option
    if data.contact_method is not None:
        if data.contact_method not in ContactMethod.values:
            raise ProfileError("contact_method", f"'{data.contact_method}' is not an option")
        fields["contact_method"] = data.contact_method
    try:
        fields["languages"] = sorted({normalize_language(x) for x in data.languages})
    except ValueError as exc:
        raise ProfileError("languages", str(exc)) from exc
    if not fields["languages"]:
        raise ProfileError("languages", "at least one language is required")
    return fields


@dataclass(frozen=True)
class SavedProfile:
    agent: Agent
    changed: bool
    index_stale: bool  # location or languages changed: the routing index copies them
    conflicts: tuple[Conflict, ...] = ()  # MLMS differs from what the agent set here: kept


def store_profile(*, data: ProfileData, now: datetime) -> SavedProfile:
    """Creates the agent or updates what changed; says whether the routing index is stale
    (eligibility.agent_facts.save_profile rebuilds it).

    A field the agent edited here (agents/ownership.py) is never overwritten: where MLMS
    says something else, the difference is returned as a Conflict.
    """
    fields = clean_profile(data)
    languages: list[str] = fields.pop("languages")  # type: ignore[assignment]
    agent = Agent.objects.filter(npn_key=fields["npn_key"]).first()
    changed = agent is None
    index_stale = False
    conflicts: list[Conflict] = []
    owned: set[str] = set()
    if agent is None:
        agent = Agent.objects.create(**fields)  # type: ignore[arg-type]
    else:
        owned = edited_here(agent)
        if ZIP in owned:
            mlms_zip = str(fields["business_zip"])
            for column in BY_NAME[ZIP].columns:
                fields.pop(column)
            if mlms_zip != agent.business_zip:
                conflicts.append(Conflict(ZIP, mlms_zip, agent.business_zip))
        diff = {k: v for k, v in fields.items() if getattr(agent, k) != v}
        if diff:
            Agent.objects.filter(pk=agent.pk).update(**diff, updated_at=now)  # type: ignore[arg-type]
            for k, v in diff.items():
                setattr(agent, k, v)
            changed = True
            index_stale = bool({"latitude", "longitude"} & diff.keys())
    have = set(agent.languages.values_list("language", flat=True))
    if have != set(languages):
        if LANGUAGES in owned:
            conflicts.append(Conflict(LANGUAGES, ", ".join(languages), ", ".join(sorted(have))))
        else:
            set_languages(agent=agent, languages=languages)
            changed = index_stale = True
    return SavedProfile(
        agent=agent, changed=changed, index_stale=index_stale, conflicts=tuple(conflicts)
    )
