"""Writing demo agents to the database in bulk. The caller wraps it in transaction.atomic()."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from agentmatch.accounts.models import User
from agentmatch.accounts.registration import register_in_bulk
from agentmatch.agents.availability import AbsenceWindow, HoursWindow, resolve_availability
from agentmatch.agents.models import Absence, Agent, AgentLanguage, StateDeselection, WeeklyHours
from agentmatch.core.geo import lookup_zip
from agentmatch.core.npn import npn_key
from agentmatch.demo.data import DEMO_EMAIL_DOMAIN, DemoAgent
from agentmatch.eligibility.models import (
    RegistrationCompletion,
    RegistrationTermination,
    TrainingCompletion,
)
from agentmatch.licensing.loa import is_health_line
from agentmatch.licensing.models import License, LineOfAuthority
from agentmatch.referrals.models import Referral


class DemoConflict(ValueError):
    pass


@dataclass(frozen=True)
class LoadResult:
    agents: int
    licenses: int
    available_now: int


def demo_agents_in_db():  # type: ignore[no-untyped-def]
    return Agent.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")


def remove_demo(*, plan_year: int) -> int:
    """Deletes demo agents, their CMS rows and every referral that involved them."""
    agents = demo_agents_in_db()
    keys = list(agents.values_list("npn_key", flat=True))
    # Offers and events protect their agent: the referrals they belong to go first.
    Referral.objects.filter(
        Q(offers__agent__in=agents) | Q(events__agent__in=agents) | Q(disclosures__agent__in=agents)
    ).delete()
    for model in (RegistrationCompletion, RegistrationTermination, TrainingCompletion):
        model.objects.filter(plan_year=plan_year, npn_key__in=keys).delete()
    License.objects.filter(npn_key__in=keys).delete()  # keyed by NPN: no cascade from Agent
    User.objects.filter(agent__in=agents).delete()
    agents.delete()
    return len(keys)


def _absence_windows(spec: DemoAgent, tz: ZoneInfo) -> list[AbsenceWindow]:
    # Whole days in the agent's own time zone, as set_availability stores them.
    return [
        AbsenceWindow(
            datetime.combine(first, time(0), tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
        )
        for first, last in spec.absences
    ]


def load_demo_agents(*, specs: list[DemoAgent], plan_year: int, now: datetime) -> LoadResult:
    """Creates the agents and everything routing reads about them, a table at a time."""
    keys = {npn_key(s.npn): s.npn for s in specs}
    taken = sorted(Agent.objects.filter(npn_key__in=keys).values_list("npn", flat=True))
    if taken:
        raise DemoConflict(f"NPNs already used by other agents: {', '.join(taken[:5])}")

    agents: list[Agent] = []
    windows: list[tuple[list[HoursWindow], list[AbsenceWindow]]] = []
    for spec in specs:
        place = lookup_zip(spec.zip_code)
        tz = ZoneInfo(place.time_zone)
        hours = [HoursWindow(d, a, b) for d, a, b in spec.weekly_hours]
        absences = _absence_windows(spec, tz)
        availability = resolve_availability(
            switch=spec.switch, time_zone=place.time_zone, hours=hours, absences=absences, now=now
        )
        windows.append((hours, absences))
        agents.append(
            Agent(
                npn=spec.npn,
                npn_key=npn_key(spec.npn),
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=spec.email,
                cell_phone=spec.cell_phone,
                business_city=place.city,
                business_zip=place.zip_code,
                latitude=place.latitude,
                longitude=place.longitude,
                time_zone=place.time_zone,
                home_state=spec.home_state,
                display_option=spec.display_option,
                availability_switch=spec.switch,
                is_available=availability.is_available,
                availability_checked_at=now,
                availability_changes_at=availability.changes_at,
            )
        )
    # Primary keys come back from bulk_create on both SQLite and PostgreSQL.
    Agent.objects.bulk_create(agents)

    languages, deselections, weekly, absence_rows, licenses = [], [], [], [], []
    for agent, spec, (hours, absences) in zip(agents, specs, windows, strict=True):
        languages += [AgentLanguage(agent=agent, language=c) for c in spec.languages]
        deselections += [StateDeselection(agent=agent, state=s) for s in spec.deselected]
        weekly += [
            WeeklyHours(agent=agent, weekday=h.weekday, starts_at=h.starts_at, ends_at=h.ends_at)
            for h in hours
        ]
        absence_rows += [
            Absence(agent=agent, starts_at=a.starts_at, ends_at=a.ends_at, note="Vacation")
            for a in absences
        ]
        licenses += [
            License(
                npn_key=agent.npn_key,
                state=lic.state,
                license_number=f"{lic.state}-{spec.npn[-7:]}",
                license_class="Resident Producer" if lic.resident else "Non-Resident Producer",
                is_resident=lic.resident,
                is_active=lic.active,
                issued_on=date(now.year - 3, 3, 1),
                expires_on=date(now.year + 1, 12, 31),
            )
            for lic in spec.licenses
        ]
    AgentLanguage.objects.bulk_create(languages)
    StateDeselection.objects.bulk_create(deselections)
    WeeklyHours.objects.bulk_create(weekly)
    Absence.objects.bulk_create(absence_rows)
    License.objects.bulk_create(licenses)
    spec_by_agent = {a.npn_key: s for a, s in zip(agents, specs, strict=True)}
    LineOfAuthority.objects.bulk_create(
        [
            LineOfAuthority(license=lic, name=name, is_active=True, is_health=is_health_line(name))
            for lic in licenses
            for dl in spec_by_agent[lic.npn_key].licenses
            if dl.state == lic.state
            for name in dl.lines
        ]
    )
    _cms_rows(specs, plan_year)
    # Most demo agents have signed up and accepted both Terms of Use.
    register_in_bulk(
        agents=[a for a, s in zip(agents, specs, strict=True) if s.service_registered], now=now
    )
    return LoadResult(
        agents=len(agents),
        licenses=len(licenses),
        available_now=sum(a.is_available for a in agents),
    )


def _cms_rows(specs: list[DemoAgent], plan_year: int) -> None:
    """What the RCL, RTL and MLMS roster would say about the demo agents."""
    completed = date(plan_year - 1, 9, 2)
    RegistrationCompletion.objects.bulk_create(
        [
            RegistrationCompletion(
                plan_year=plan_year,
                npn_key=npn_key(s.npn),
                npn_valid=s.rcl == "valid",
                individual_completed_on=completed,
            )
            for s in specs
            if s.rcl != "missing"
        ],
        ignore_conflicts=True,
    )
    RegistrationTermination.objects.bulk_create(
        [
            RegistrationTermination(
                npn_key=npn_key(s.npn),
                status="T3",
                marketplaces="Individual",
                plan_year=plan_year,
                registration_completed_on=completed,
                effective_on=date(plan_year - 1, 10, 15),
            )
            for s in specs
            if s.terminated
        ],
        ignore_conflicts=True,
    )
    TrainingCompletion.objects.bulk_create(
        [
            TrainingCompletion(
                plan_year=plan_year, npn_key=npn_key(s.npn), completed_on=date(plan_year - 1, 9, 9)
            )
            for s in specs
            if s.trained
        ],
        ignore_conflicts=True,
    )
