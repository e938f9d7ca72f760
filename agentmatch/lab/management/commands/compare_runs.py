"""`agentmatch compare_runs RUN_DIR... --out DIR`: runs side by side against `nearest`.

A door: reads each run folder's outcome.json, writes DIR/report.md and the comparison's
charts (lab/compare.py).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agentmatch.lab.compare import baseline_index, load_runs, write_comparison
from agentmatch.lab.runs import RunError


class Command(BaseCommand):
    help = "Compare routing-lab runs (folders written by `simulate`) against the nearest one."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "runs", nargs="+", type=Path, help="run folders (each with outcome.json)"
        )
        parser.add_argument("--out", type=Path, required=True, help="folder for the comparison")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            runs = load_runs(options["runs"])
        except RunError as exc:
            raise CommandError(str(exc)) from exc
        report = write_comparison(options["out"], runs)
        self.stdout.write(
            f"{len(runs)} runs against {runs[baseline_index(runs)].name}. Report: {report}"
        )
