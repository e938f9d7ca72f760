"""The steps that change an agent's own settings: availability, languages, state choices.

Functions take keyword-only arguments; they check their input with agents/schedule.py and
write only agents' rows, but never commit and never run follow-ups (routing index,
waiting referrals): the agent's actions (accounts/agent_actions.py) compose them inside one
transaction and queue those once. The routing index copies availability, languages and
location: eligibility/agent_facts.py stores those and keeps it in step.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils.translation import gettext as _

from agentmatch.agents.availability import (
    AbsenceWindow,
    Availability,
    HoursWindow,
    resolve_availability,
)
from agentmatch.agents.errors import SettingError
from agentmatch.agents.models import (
    Absence,
    Agent,
    AgentLanguage,
    AvailabilitySwitch,
    DirectoryOptOut,
    StateDeselection,
    WeeklyHours,
)
from agentmatch.agents.schedule import (
    HoursRange,
    ScheduleError,
    check_absence,
    check_absence_note,
    check_absences_apart,
    check_weekly_hours,
    overlap_error,
)
from agentmatch.core.languages import normalize_language


def agent_zone(agent: Agent) -> ZoneInfo:
    """The agent's own time zone (Agent.zone: one fallback everywhere)."""
    return agent.zone


def availability_of(*, agent: Agent, now: datetime) -> Availability:
    return resolve_availability(
        switch=agent.availability_switch,
        time_zone=agent.time_zone,
        hours=[
            HoursWindow(h.weekday, h.starts_at, h.ends_at)
            for h in WeeklyHours.objects.filter(agent=agent)
        ],
        absences=[
            AbsenceWindow(a.starts_at, a.ends_at)
            for a in Absence.objects.filter(agent=agent, ends_at__gt=now)
        ],
        now=now,
    )


def store_availability(*, agent: Agent, now: datetime) -> Availability:
    """Stores the availability resolved at `now` and when to look again, on the agent only:
    eligibility.agent_facts.refresh_availability also keeps the routing index in step."""
    result = availability_of(agent=agent, now=now)
    Agent.objects.filter(pk=agent.pk).update(
        is_available=result.is_available,
        availability_checked_at=now,
        availability_changes_at=result.changes_at,
    )
    agent.is_available = result.is_available
    agent.availability_checked_at = now
    agent.availability_changes_at = result.changes_at
    return result


def set_switch(*, agent: Agent, switch: str) -> None:
    """The green/red override, or back to following the weekly hours."""
    if switch not in AvailabilitySwitch.values:
        raise SettingError("switch", _("Choose Available or Not available."), code="bad_switch")
    # A choice the agent makes ends any pause after a missed offer.
    Agent.objects.filter(pk=agent.pk).update(
        availability_switch=switch, paused_after_missed_offer_at=None, mode_before_pause=""
    )
    agent.availability_switch = switch
    agent.paused_after_missed_offer_at = None
    agent.mode_before_pause = ""


@dataclass(frozen=True, slots=True)
class MissedOfferPause:
    """One agent's state after pause_after_missed_offers: `paused_now` when this call
    switched them off; `is_paused` also when an earlier missed offer had; `was_available`
    what the agent's stored availability was before."""

    agent_id: int
    paused_now: bool
    is_paused: bool
    mode_before_pause: str
    was_available: bool


def pause_after_missed_offers(
    *, agent_ids: Iterable[int], now: datetime
) -> dict[int, MissedOfferPause]:
    """Switches each agent off after a missed offer, remembering the mode they were in,
    and stores the availability that results, in two statements whatever their number
    (the offer clock expires offers in batches).

    Only an agent who was on or following their hours is paused (one already switched
    off, or already paused, keeps what they have). The rows are locked in id order, so two
    batches that share agents wait for each other instead of deadlocking.
    """
    rows = list(
        Agent.objects.select_for_update()
        .filter(pk__in=set(agent_ids))
        .order_by("pk")
        .values_list(
            "pk",
            "availability_switch",
            "paused_after_missed_offer_at",
            "mode_before_pause",
            "is_available",
        )
    )
    to_pause = [
        pk
        for pk, switch, paused_at, _mode, _available in rows
        if paused_at is None and switch != AvailabilitySwitch.OFF
    ]
    if to_pause:
        # Switched off: resolve_availability's first rule, whatever the hours or absences.
        off = resolve_availability(
            switch=AvailabilitySwitch.OFF, time_zone="UTC", hours=(), absences=(), now=now
        )
        paused = (
            Agent.objects.filter(pk__in=to_pause, paused_after_missed_offer_at__isnull=True)
            .exclude(availability_switch=AvailabilitySwitch.OFF)
            .update(
                availability_switch=AvailabilitySwitch.OFF,
                paused_after_missed_offer_at=now,
                mode_before_pause=F("availability_switch"),
                is_available=off.is_available,
                availability_checked_at=now,
                availability_changes_at=off.changes_at,
            )
        )
        if paused != len(to_pause):  # the rows are locked: nothing else can change them
            raise RuntimeError(f"paused {paused} of {len(to_pause)} locked agents")
    pausing = set(to_pause)
    return {
        pk: MissedOfferPause(
            agent_id=pk,
            paused_now=pk in pausing,
            is_paused=pk in pausing or paused_at is not None,
            mode_before_pause=switch if pk in pausing else mode,
            was_available=available,
        )
        for pk, switch, paused_at, mode, available in rows
    }


def mode_to_come_back_to(agent: Agent) -> str:
    """What "I'm back" switches to: the mode before a missed-offer pause, else available."""
    return agent.mode_before_pause or AvailabilitySwitch.ON


def follows_hours_without_any(agent: Agent) -> bool:
    """Set to follow weekly hours but has none: never available, and a new agent starts so
    (the pages ask them to set hours or sign on now)."""
    return (
        agent.availability_switch == AvailabilitySwitch.SCHEDULE
        and not WeeklyHours.objects.filter(agent=agent).exists()
    )


def replace_weekly_hours(*, agent: Agent, hours: Sequence[HoursRange]) -> None:
    """Replaces the week's operating hours: (weekday, start, end) in the agent's time zone,
    every range within its day (an end of 00:00 is midnight).

    Raises ScheduleError listing each bad range; nothing changes then.
    """
    if problems := check_weekly_hours(hours):
        raise ScheduleError(problems)
    WeeklyHours.objects.filter(agent=agent).delete()
    WeeklyHours.objects.bulk_create(
        [
            WeeklyHours(agent=agent, weekday=weekday, starts_at=start, ends_at=end)
            for weekday, start, end in sorted(hours)
        ]
    )


def local_today(agent: Agent, now: datetime) -> date:
    return now.astimezone(agent.zone).date()


def absence_days(absence: Absence, tz: ZoneInfo) -> tuple[date, date]:
    """An absence as the whole days the agent chose: (first day, last day)."""
    last = absence.ends_at.astimezone(tz) - timedelta(microseconds=1)
    return absence.starts_at.astimezone(tz).date(), last.date()


@dataclass(frozen=True)
class AbsenceDays:
    pk: int
    first_day: date
    last_day: date
    note: str


def coming_absences(*, agent: Agent, now: datetime) -> list[AbsenceDays]:
    """The agent's current and coming absences as whole days in their time zone."""
    return [
        AbsenceDays(absence.pk, *absence_days(absence, agent.zone), absence.note)
        for absence in Absence.objects.filter(agent=agent, ends_at__gt=now).order_by("starts_at")
    ]


def _instants(first_day: date, last_day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, time(0), tzinfo=tz)
    return start, datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)


def add_absence(
    *, agent: Agent, first_day: date, last_day: date, note: str, now: datetime
) -> Absence:
    """An extended absence of whole days in the agent's time zone, from today on.

    Raises AbsenceError naming the field for a day in the past or too far ahead, a last
    day before the first, a note with control characters, or days already taken.
    """
    tz = agent.zone
    check_absence(first_day=first_day, last_day=last_day, note=note, today=local_today(agent, now))
    starts_at, ends_at = _instants(first_day, last_day, tz)
    if Absence.objects.filter(agent=agent, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise overlap_error()
    return Absence.objects.create(
        agent=agent, starts_at=starts_at, ends_at=ends_at, note=note.strip()
    )


def delete_absence(*, agent: Agent, absence_id: int) -> bool:
    """Removes one of the agent's own absences; False if there was no such absence."""
    deleted, _rows = Absence.objects.filter(agent=agent, pk=absence_id).delete()
    return deleted > 0


def replace_absences(
    *, agent: Agent, absences: Sequence[tuple[date, date, str]], now: datetime
) -> None:
    """The agent's whole list of absences, as (first day, last day, note).

    An absence already stored and listed again with the same days is kept as it is (an
    absence under way began in the past); every other one is checked like a new one.
    Raises AbsenceError with the index of the first bad absence; nothing changes then.
    """
    tz = agent.zone
    today = local_today(agent, now)
    stored = {absence_days(a, tz): a for a in Absence.objects.filter(agent=agent)}
    for index, (first_day, last_day, note) in enumerate(absences):
        try:
            if (first_day, last_day) in stored:
                check_absence_note(note)
            else:
                check_absence(first_day=first_day, last_day=last_day, note=note, today=today)
        except SettingError as exc:
            exc.index = index
            raise
    check_absences_apart([(first, last) for first, last, _note in absences])
    keep = {(first, last): note.strip() for first, last, note in absences}
    Absence.objects.filter(agent=agent).exclude(
        pk__in=[a.pk for days, a in stored.items() if days in keep]
    ).delete()
    for days, note in keep.items():
        if (kept := stored.get(days)) is not None:
            if kept.note != note:
                Absence.objects.filter(pk=kept.pk).update(note=note)
            continue
        starts_at, ends_at = _instants(*days, tz)
        Absence.objects.create(agent=agent, starts_at=starts_at, ends_at=ends_at, note=note)


def change_availability_settings(
    *,
    agent: Agent,
    now: datetime,
    switch: str | None = None,
    weekly_hours: Sequence[HoursRange] | None = None,
    absences: Sequence[tuple[date, date, str]] | None = None,
) -> None:
    """Changes whichever of switch, weekly hours and absences are given, with the same
    rules as every door; the caller then stores the availability that results."""
    if switch is not None:
        set_switch(agent=agent, switch=switch)
    if weekly_hours is not None:
        replace_weekly_hours(agent=agent, hours=weekly_hours)
    if absences is not None:
        replace_absences(agent=agent, absences=absences, now=now)


def clean_languages(values: Iterable[str]) -> list[str]:
    """Language codes or names, one per value or comma-separated; at least one."""
    try:
        codes = sorted(
            {normalize_language(x) for value in values for x in value.split(",") if x.strip()}
        )
    except ValueError as exc:
        raise SettingError("languages", str(exc), code="unknown_language") from exc
    if not codes:
        raise SettingError("languages", _("Choose at least one language."), code="required")
    return codes


def set_languages(*, agent: Agent, languages: Iterable[str]) -> None:
    """Stores the agent's languages (codes). The caller rebuilds the routing index."""
    codes = sorted(set(languages))
    if not codes:
        raise SettingError("languages", _("Choose at least one language."), code="required")
    AgentLanguage.objects.filter(agent=agent).exclude(language__in=codes).delete()
    AgentLanguage.objects.bulk_create(
        [AgentLanguage(agent=agent, language=c) for c in codes], ignore_conflicts=True
    )


def set_directory_opt_outs(*, agent: Agent, states: Iterable[str]) -> None:
    """The states whose consumers should not find the agent in Find Local Help."""
    wanted = set(states)
    DirectoryOptOut.objects.filter(agent=agent).exclude(state__in=wanted).delete()
    DirectoryOptOut.objects.bulk_create(
        [DirectoryOptOut(agent=agent, state=s) for s in sorted(wanted)], ignore_conflicts=True
    )


def set_deselected_states(*, agent: Agent, states: Iterable[str]) -> None:
    wanted = set(states)
    StateDeselection.objects.filter(agent=agent).exclude(state__in=wanted).delete()
    StateDeselection.objects.bulk_create(
        [StateDeselection(agent=agent, state=s) for s in sorted(wanted)], ignore_conflicts=True
    )
