"""`agentmatch set_plan_year 2026 --states-2026 --current`: plan years as data.

A door: it reads the arguments and calls `eligibility.actions.configure_plan_year`, which
changes the year and every agent's routing states in one transaction.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agentmatch.core.states import normalize_state
from agentmatch.eligibility.actions import PlanYearError, configure_plan_year
from agentmatch.planyears.services import STATES_SERVED_2026


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
        parser.add_argument(
            "--message-es",
            dest="message_es",
            help="the same message for consumers reading in Spanish (with --intake paused)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        states: list[str] | None = None
        if options["states"] is not None:
            states = parse_states(options["states"])
        elif options["states_2026"]:
            states = list(STATES_SERVED_2026)
        intake = options["intake"]
        try:
            change = configure_plan_year(
                year=options["year"],
                states=states,
                make_current=options["current"],
                intake_open=None if intake is None else intake == "open",
                paused_message=options["message"],
                paused_message_es=options["message_es"],
                now=timezone.now(),
            )
        except PlanYearError as exc:
            flag = {
                "states": "--states or --states-2026",
                "message": "--message",
                "message_es": "--message-es",
            }
            where = flag.get(exc.field, exc.field)
            raise CommandError(f"{exc.message} (give {where})") from exc
        plan_year = change.plan_year
        self.stdout.write(
            f"Plan year {plan_year.year}{' (current)' if plan_year.is_current else ''}: "
            f"{len(change.served)} states served: {', '.join(change.served)}"
            + (f" (SBM-FP: {', '.join(change.sbm_fp)})" if change.sbm_fp else "")
        )
        state = "open" if plan_year.intake_open else "paused"
        if not plan_year.intake_open and plan_year.intake_paused_message:
            state += f' ("{plan_year.intake_paused_message}")'
        if not plan_year.intake_open and plan_year.intake_paused_message_es:
            state += f' (es: "{plan_year.intake_paused_message_es}")'
        self.stdout.write(f"Consumer intake: {state}")
        if change.gained is None:
            self.stdout.write("Not the current plan year: routing is unchanged.")
        else:
            self.stdout.write(
                f"Routing states refreshed for all agents ({len(change.gained)} gained a state)."
            )
