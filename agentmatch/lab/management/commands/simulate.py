"""`agentmatch simulate SCENARIO`: one simulated day with the real routing code.

A door: reads the scenario, picks the scratch database (lab/scratch.py), runs the
simulation with a progress bar, writes report.md and figures.json to --out.
"""

import logging
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from agentmatch.lab.report import figures, to_json, to_markdown
from agentmatch.lab.scenario import POLICIES, ScenarioError, load_scenario
from agentmatch.lab.scratch import NotScratch, fresh_sqlite, refuse_unless_empty
from agentmatch.lab.simulator import simulate


class Command(BaseCommand):
    help = "Simulate a day of requests and agents with the real routing code; write a report."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("scenario", type=Path, help="a scenario TOML file")
        parser.add_argument("--out", type=Path, default=None, help="folder for the report")
        parser.add_argument("--seed", type=int, default=None, help="overrides the scenario's")
        parser.add_argument("--policy", choices=POLICIES, default=None, help="overrides it")
        parser.add_argument(
            "--here",
            action="store_true",
            help="run on the configured database (must hold no agents nor referrals) "
            "instead of a fresh SQLite file in the out folder",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scenario = load_scenario(options["scenario"])
        except ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        if options["seed"] is not None:
            scenario = replace(scenario, seed=options["seed"])
        if options["policy"] is not None:
            scenario = replace(scenario, policy=options["policy"])
        out: Path = options["out"] or Path(f"lab-{scenario.name}-{scenario.seed}")
        out.mkdir(parents=True, exist_ok=True)
        database: AbstractContextManager[None] = (
            nullcontext() if options["here"] else fresh_sqlite(out / "lab.sqlite3")
        )
        started = time.monotonic()
        # The worker logs a line per expiry: thousands in a simulated day.
        logging.getLogger("agentmatch.worker").setLevel(logging.WARNING)
        with database:
            try:
                refuse_unless_empty()
            except NotScratch as exc:
                raise CommandError(str(exc)) from exc
            # Until routing policies land, every run routes the deployment's way.
            with tqdm(desc="events", unit="ev", disable=options["verbosity"] < 1) as bar:

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                outcome = simulate(scenario, progress=progress)
        result = figures(outcome)
        (out / "report.md").write_text(to_markdown(result), encoding="utf-8")
        (out / "figures.json").write_text(to_json(result), encoding="utf-8")
        self.stdout.write(
            f"{result.requests} requests, {result.accepted} accepted, median "
            f"{result.median_minutes_to_acceptance} min to acceptance; "
            f"{time.monotonic() - started:.0f} s. Report: {out / 'report.md'}"
        )
