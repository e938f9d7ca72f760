"""MLMS roster CSV (assumed export format): agents' profiles and Help On Demand training.

Columns: NPN, First Name, Last Name, Email, Home State, Business Street, City, ZIP,
Languages ("en;es" or "English, Spanish"), Display Option (1-4), HOD Training Completion
Date, Plan Year. Profiles go through eligibility.agent_facts.save_profile, the same validation as
everywhere else; a row with a date upserts the TrainingCompletion for its plan year. Fields
the agent edited here (languages, ZIP: agents/ownership.py) are kept, and where the roster
differs a ProfileConflict is recorded for the summary and the operator's agent page.
"""

import re
from collections.abc import Iterator
from dataclasses import replace

from agentmatch.agents.models import Agent
from agentmatch.agents.ownership import Conflict
from agentmatch.agents.profile import ProfileData, ProfileError, clean_profile
from agentmatch.core.languages import normalize_language
from agentmatch.eligibility.agent_facts import save_profile
from agentmatch.eligibility.models import TrainingCompletion
from agentmatch.imports.base import (
    Column,
    Context,
    Importer,
    Item,
    Outcome,
    Parsed,
    Record,
    Rejected,
    RowError,
    choose_plan_year,
    csv_items,
    parse_date,
    parse_npn,
    upsert_rows,
)
from agentmatch.imports.models import ImportKind, ProfileConflict

COLUMNS = (
    Column("npn", "NPN", ("national producer number",)),
    Column("first_name", "First Name", ("first",)),
    Column("last_name", "Last Name", ("last",)),
    Column("email", "Email", ("email address", "e mail"), required=False),
    Column("home_state", "Home State", ("resident state",), required=False),
    Column("street", "Business Street", ("business address", "street", "address"), required=False),
    Column("city", "City", ("business city",), required=False),
    Column("zip", "ZIP", ("zip code", "business zip", "postal code", "zipcode")),
    Column("languages", "Languages", ("language", "languages spoken")),
    Column("display_option", "Display Option", ("mlms display option",)),
    Column(
        "trained_on",
        "HOD Training Completion Date",
        ("help on demand training completion date", "training completion date"),
        required=False,
    ),
    Column("plan_year", "Plan Year", ("applicable plan year",), required=False),
)


def parse_languages(value: str) -> tuple[str, ...]:
    parts = [p for p in re.split(r"[;,/|]+", value) if p.strip()]
    if not parts:
        raise RowError("Languages is blank (at least one language is required)")
    try:
        return tuple(sorted({normalize_language(p) for p in parts}))
    except ValueError as exc:
        raise RowError(f"Languages: {exc}") from exc


def parse_display_option(value: str) -> int:
    text = value.strip()
    if text not in ("1", "2", "3", "4"):
        raise RowError(f"Display Option '{text}' is not 1, 2, 3 or 4")
    return int(text)


class RosterImporter(Importer):
    kind = ImportKind.ROSTER
    key_label = "NPN"
    kept_as = ""

    def items(self, path: str, ctx: Context) -> Iterator[Item]:
        def parse(v: dict[str, str]) -> Parsed:
            npn, key = parse_npn(v["npn"])
            year = choose_plan_year(v.get("plan_year"), ctx)
            if year is None:
                return None
            profile = ProfileData(
                npn=npn,
                first_name=v["first_name"],
                last_name=v["last_name"],
                email=v.get("email", ""),
                business_street=v.get("street", ""),
                business_city=v.get("city", ""),
                business_zip=v["zip"],
                home_state=v.get("home_state", ""),
                languages=parse_languages(v["languages"]),
                display_option=parse_display_option(v["display_option"]),
            )
            try:
                clean_profile(profile)  # reject early, with the same rules save_profile uses
            except ProfileError as exc:
                raise RowError(_profile_reason(exc)) from exc
            trained_on = parse_date(v.get("trained_on", ""), "HOD Training Completion Date")
            absent = tuple(sorted(set(_KEPT_WHEN_ABSENT) - set(v)))
            return key, key, (year, profile, trained_on, absent)

        return csv_items(path, COLUMNS, ctx, parse)

    def apply(self, records: list[Record], ctx: Context) -> list[Outcome | Rejected]:
        keys = [r.npn_key for r in records]
        known = {a.npn_key: a for a in Agent.objects.filter(npn_key__in=keys)}
        outcomes: list[Outcome | Rejected] = []
        trainings: list[tuple[tuple[int, str], dict[str, object]]] = []
        trained_index: list[int] = []
        conflicts: dict[int, tuple[Conflict, ...]] = {}  # agent id -> as of this roster
        for record in records:
            year, profile, trained_on, absent = record.data
            existing = known.get(record.npn_key)
            if existing is not None:
                profile = _keep_known_facts(profile, existing, absent)
            try:
                saved = save_profile(data=profile, now=ctx.now)
            except ProfileError as exc:
                outcomes.append(Rejected(record.line, _profile_reason(exc), record.raw))
                continue
            changed = saved.changed
            if existing is not None:
                conflicts[existing.pk] = saved.conflicts
            if existing is None:
                outcomes.append(Outcome.CREATED)
            else:
                outcomes.append(Outcome.UPDATED if changed else Outcome.UNCHANGED)
            if trained_on is not None:
                trainings.append(((year, record.npn_key), {"completed_on": trained_on}))
                trained_index.append(len(outcomes) - 1)
        results = upsert_rows(TrainingCompletion, trainings, ("plan_year", "npn_key"))
        for i, result in zip(trained_index, results, strict=True):
            if result != Outcome.UNCHANGED and outcomes[i] == Outcome.UNCHANGED:
                outcomes[i] = Outcome.UPDATED
        _record_conflicts(conflicts, ctx)
        return outcomes


def _record_conflicts(conflicts: dict[int, tuple[Conflict, ...]], ctx: Context) -> None:
    """Each agent's conflicts as of this roster replace the earlier ones: a field where
    MLMS agrees again (or the agent never edited) has none left."""
    ProfileConflict.objects.filter(agent_id__in=conflicts).delete()
    ProfileConflict.objects.bulk_create(
        ProfileConflict(
            agent_id=agent_id,
            field=c.field,
            mlms_value=c.mlms_value[:200],
            our_value=c.our_value[:200],
            seen_at=ctx.now,
            import_run=ctx.run,
        )
        for agent_id, found in conflicts.items()
        for c in found
    )


# Roster column -> Agent field: a column the file does not have leaves the field alone.
_KEPT_WHEN_ABSENT = {
    "email": "email",
    "street": "business_street",
    "city": "business_city",
    "home_state": "home_state",
}


def _keep_known_facts(profile: ProfileData, agent: Agent, absent: tuple[str, ...]) -> ProfileData:
    """What the roster leaves out must not erase what we already know."""
    kept = {_KEPT_WHEN_ABSENT[c]: getattr(agent, _KEPT_WHEN_ABSENT[c]) for c in absent}
    # Without a City column, a new ZIP brings its own city rather than keeping the old one.
    if "city" in absent and profile.business_zip.strip() != agent.business_zip:
        del kept["business_city"]
    # Spreadsheets drop leading zeros: never shorten an NPN we hold with its zeros.
    if len(agent.npn) > len(profile.npn):
        kept["npn"] = agent.npn
    # A blank home state would fall back to the ZIP's state; keep NIPR's resident state.
    if not profile.home_state.strip() and agent.home_state:
        kept["home_state"] = agent.home_state
    return replace(profile, **kept)


def _profile_reason(exc: ProfileError) -> str:
    labels = {"zip": "ZIP", "home_state": "Home State", "npn": "NPN", "name": "Name"}
    return f"{labels.get(exc.field, exc.field)}: {exc.message}"
