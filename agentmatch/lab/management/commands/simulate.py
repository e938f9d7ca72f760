"""`agentmatch simulate SCENARIO`: one simulated day with the real routing code.

A door: reads the scenario, picks the scratch database (lab/scratch.py), runs the
simulation with a progress bar, writes the run's folder (lab/runs.py) to --out. With
`--compare nearest,fair` it runs the day once per policy, each in --out/POLICY/ on a fresh
SQLite file of its own, then writes their comparison (lab/compare.py) into --out.
"""

import logging
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from agentmatch.core.command_options import names_from
from agentmatch.lab.compare import load_runs, write_comparison
from agentmatch.lab.report import Figures
from agentmatch.lab.runs import write_run
from agentmatch.lab.scenario import POLICIES, Scenario, ScenarioError, load_scenario
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
            "--param",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a policy parameter for this run (e.g. band_miles=15, wrap_up_seconds=1200), "
            "as the scenario's [policy] table would give it; repeatable",
        )
        parser.add_argument(
            "--here",
            action="store_true",
            help="run on the configured database (must hold no agents nor referrals) "
            "instead of a fresh SQLite file in the out folder",
        )
        parser.add_argument(
            "--compare",
            default=None,
            metavar="POLICY,POLICY...",
            help="run the day once per policy (in OUT/POLICY/) and compare them in OUT",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        parameters = {}
        for item in options["param"]:
            name, equals, value = item.partition("=")
            if not equals or not name.strip() or not value.strip():
                raise CommandError(f"--param {item!r}: write it as NAME=VALUE, e.g. band_miles=15")
            parameters[name.strip()] = value.strip()
        try:
            scenario = load_scenario(options["scenario"], parameters=parameters)
        except ScenarioError as exc:
            raise CommandError(str(exc)) from exc
        if options["seed"] is not None:
            scenario = replace(scenario, seed=options["seed"])
        if options["compare"] is not None:
            self._compare(scenario, _policies(options["compare"]), options)
            return
        if options["policy"] is not None:
            scenario = replace(scenario, policy=options["policy"])
        out: Path = options["out"] or Path(f"lab-{scenario.name}-{scenario.seed}")
        self._run(scenario, out, here=options["here"], verbosity=options["verbosity"])

    def _compare(self, scenario: Scenario, policies: list[str], options: dict[str, Any]) -> None:
        if options["policy"] is not None:
            raise CommandError("--policy and --compare: give one or the other")
        if options["here"]:
            raise CommandError(
                "--compare runs each policy on a fresh SQLite file of its own: leave out --here"
            )
        out: Path = options["out"] or Path(f"lab-{scenario.name}-{scenario.seed}-compare")
        for policy in policies:
            self._run(
                replace(scenario, policy=policy),
                out / policy,
                here=False,
                verbosity=options["verbosity"],
            )
        report = write_comparison(out, load_runs([out / policy for policy in policies]))
        self.stdout.write(f"Comparison: {report}")

    def _run(self, scenario: Scenario, out: Path, *, here: bool, verbosity: int) -> Figures:
        out.mkdir(parents=True, exist_ok=True)
        database: AbstractContextManager[None] = (
            nullcontext() if here else fresh_sqlite(out / "lab.sqlite3")
        )
        started = time.monotonic()
        # The worker logs a line per expiry: thousands in a simulated day.
        logging.getLogger("agentmatch.worker").setLevel(logging.WARNING)
        with database:
            try:
                refuse_unless_empty()
            except NotScratch as exc:
                raise CommandError(str(exc)) from exc
            with tqdm(desc=scenario.policy, unit="ev", disable=verbosity < 1) as bar:

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                outcome = simulate(scenario, progress=progress)
        result = write_run(out, outcome)
        self.stdout.write(
            f"{scenario.policy}: {result.requests} requests, {result.accepted} accepted, median "
            f"{result.median_minutes_to_acceptance} min to acceptance; "
            f"{time.monotonic() - started:.0f} s. Report: {out / 'report.md'}"
        )
        return result


def _policies(text: str) -> list[str]:
    return names_from(text, option="--compare", what="policy", known=list(POLICIES))
