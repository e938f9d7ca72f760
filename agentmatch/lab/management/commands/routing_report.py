"""`agentmatch routing_report --since DATE [--until DATE] [--out DIR]`: the routing lab's
figures for real days, read from the configured database (never written to).

A door: parses the dates, reads the period (lab/live.py) in the operators' time zone,
writes the same files as a simulated run (report.md, figures.json, outcome.json,
the charts) to --out (default routing-report-SINCE-UNTIL).
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agentmatch.core.time_zones import zone_named
from agentmatch.lab.live import PeriodError, parse_period, read_period
from agentmatch.lab.runs import write_run


class Command(BaseCommand):
    help = (
        "The routing lab's figures for the requests made on real days (the operators' "
        "time zone), from the configured database; writes report.md, figures.json, "
        "outcome.json and charts."
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
        result = write_run(out, outcome)
        self.stdout.write(
            f"{result.requests} requests, {result.accepted} accepted, median "
            f"{result.median_minutes_to_acceptance} min to acceptance "
            f"({settings.OPERATOR_TIME_ZONE} days). Report: {out / 'report.md'}"
        )
