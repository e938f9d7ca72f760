"""`agentmatch routing_report --since DATE [--until DATE] [--out DIR]`: the routing lab's
figures for real days, read from the configured database (never written to).

A door: parses the dates, reads the period (lab/live.py) in the operators' time zone,
writes report.md and figures.json to --out (default routing-report-SINCE-UNTIL).
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agentmatch.core.time_zones import zone_named
from agentmatch.lab.live import PeriodError, parse_period, read_period
from agentmatch.lab.outcome import Outcome
from agentmatch.lab.report import Figures, figures, to_json, to_markdown


def write_report(outcome: Outcome, out: Path) -> Figures:
    """The report's files in `out`: the one place to change to write more of them."""
    result = figures(outcome)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(to_markdown(result), encoding="utf-8")
    (out / "figures.json").write_text(to_json(result), encoding="utf-8")
    return result


class Command(BaseCommand):
    help = (
        "The routing lab's figures for the requests made on real days (the operators' "
        "time zone), from the configured database; writes report.md and figures.json."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--since", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", default=None, help="last day, YYYY-MM-DD (--since's)")
        parser.add_argument("--out", type=Path, default=None, help="folder for the report")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since, until = parse_period(options["since"], options["until"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        out: Path = options["out"] or Path(f"routing-report-{since}-{until}")
        outcome = read_period(since, until, zone_named(settings.OPERATOR_TIME_ZONE))
        result = write_report(outcome, out)
        self.stdout.write(
            f"{result.requests} requests, {result.accepted} accepted, median "
            f"{result.median_minutes_to_acceptance} min to acceptance "
            f"({settings.OPERATOR_TIME_ZONE} days). Report: {out / 'report.md'}"
        )
