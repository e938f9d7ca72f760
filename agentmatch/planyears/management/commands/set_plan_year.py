"""`agentmatch set_plan_year 2026 --states-2026 --current`: plan years as data.

Served states and the current year decide who is routed where, so any change to them
(or to the current year at all) rewrites every agent's routing states in the same
transaction: routing never runs on a half-updated table.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agentmatch.core.states import normalize_state
from agentmatch.eligibility.services import refresh_all_routing_states
from agentmatch.planyears.models import PlanYear, ServedState
from agentmatch.planyears.services import (
    STATES_SERVED_2026,
    define_plan_year,
    served_states,
    set_intake,
)


def parse_states(text: str) -> list[str]:
    """'AL, ak,AR*' -> ['AL', 'AK', 'AR*']; a trailing '*' marks an SBM-FP state."""
    states: list[str] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        star = "*" if item.endswith("*") else ""
        try:
            code = normalize_state(item.rstrip("*"))
        except ValueError as exc:
            raise CommandError(f"--states: '{item}' is not a US state code") from exc
        states.append(code + star)
    if not states:
        raise CommandError("--states: give at least one state code, e.g. --states WI,IL")
    return states


def existing_states(plan_year: PlanYear) -> list[str]:
    return [
        s.state + ("*" if s.platform == ServedState.Platform.SBM_FP else "")
        for s in plan_year.served_states.all()
    ]


class Command(BaseCommand):
    help = "Create or change a plan year: served states, current year, consumer intake."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", type=int, help="plan year, e.g. 2026")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--states",
            help="comma-separated state codes served by the federal platform; "
            "a trailing * marks an SBM-FP state (AR*,OR*)",
        )
        which.add_argument(
            "--states-2026",
            "--healthcare-gov-2026",
            dest="states_2026",
            action="store_true",
            help=f"the {len(STATES_SERVED_2026)} HealthCare.gov states of plan year 2026",
        )
        parser.add_argument(
            "--current", action="store_true", help="make this the current plan year"
        )
        parser.add_argument(
            "--intake", choices=["open", "paused"], help="open or pause consumer intake"
        )
        parser.add_argument(
            "--message", help="what consumers see while intake is paused (with --intake paused)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if not 2014 <= year <= 2100:
            raise CommandError(f"'{year}' is not a plausible plan year")
        states: list[str] | None = None
        if options["states"] is not None:
            states = parse_states(options["states"])
        elif options["states_2026"]:
            states = list(STATES_SERVED_2026)
        if options["message"] and options["intake"] == "open":
            raise CommandError("--message is shown while intake is paused: use --intake paused")

        now = timezone.now()
        with transaction.atomic():
            existing = PlanYear.objects.filter(year=year).first()
            if states is None:
                if existing is None:
                    raise CommandError(
                        f"Plan year {year} does not exist yet: give --states or --states-2026"
                    )
                states = existing_states(existing)
            plan_year = define_plan_year(year=year, states=states, make_current=options["current"])
            if options["intake"] is not None or options["message"] is not None:
                is_open = (
                    options["intake"] == "open"
                    if options["intake"] is not None
                    else plan_year.intake_open
                )
                set_intake(plan_year=plan_year, open=is_open, message=options["message"] or "")
            plan_year.refresh_from_db()
            gained: set[int] | None = None
            if plan_year.is_current:
                # Cheap enough to do every time, and it makes this command the way to
                # repair a stale routing table: `agentmatch set_plan_year 2026`.
                gained = refresh_all_routing_states(plan_year=plan_year, today=now.date())

        served = sorted(served_states(plan_year))
        sbm = sorted(s.rstrip("*") for s in states if s.endswith("*"))
        self.stdout.write(
            f"Plan year {year}{' (current)' if plan_year.is_current else ''}: "
            f"{len(served)} states served: {', '.join(served)}"
            + (f" (SBM-FP: {', '.join(sbm)})" if sbm else "")
        )
        intake = "open" if plan_year.intake_open else "paused"
        if not plan_year.intake_open and plan_year.intake_paused_message:
            intake += f' ("{plan_year.intake_paused_message}")'
        self.stdout.write(f"Consumer intake: {intake}")
        if gained is None:
            self.stdout.write("Not the current plan year: routing is unchanged.")
        else:
            self.stdout.write(
                f"Routing states refreshed for all agents ({len(gained)} gained a state)."
            )
