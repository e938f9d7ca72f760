"""Runs side by side against a baseline, and issue 14's target checked for each.

The baseline is the first run routed by `nearest` (the deployment's policy, Help On
Demand's), else the first run. Every figure is recomputed from each run's outcome.json
(lab/report.py's definitions), so runs made by older versions compare on today's figures.

Issue 14's target, for a run against the baseline: median time to acceptance at least 30%
lower, share never accepted not higher, mean distance at most 20% higher, and a Gini
coefficient of offers per available agent of 0.3 or less.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from agentmatch.lab.charts import series, write_charts
from agentmatch.lab.outcome import Outcome
from agentmatch.lab.report import Figures, chart_links, figures
from agentmatch.lab.runs import RunError, read_run

BASELINE_POLICY = "nearest"
# Target thresholds (issue 14).
MEDIAN_WAIT_CUT = 0.30  # at least 30% lower
DISTANCE_RISE = 0.20  # at most 20% higher
GINI_CEILING = 0.3
EPSILON = 1e-9  # 0.7 x 10 is 6.999...: a run exactly on a threshold meets it


@dataclass(frozen=True)
class Run:
    name: str
    outcome: Outcome
    figures: Figures


def load_runs(folders: Sequence[Path]) -> list[Run]:
    """Each folder's run, named by its folder (by the path given when two names clash)."""
    resolved = [folder.resolve() for folder in folders]
    if len(set(resolved)) < len(resolved):
        raise RunError("the same run folder is named twice")
    names = [folder.name for folder in resolved]
    if len(set(names)) < len(names):
        names = [str(folder) for folder in folders]
    runs = []
    for name, folder in zip(names, folders, strict=True):
        outcome = read_run(folder)
        runs.append(Run(name, outcome, figures(outcome)))
    return runs


def baseline_index(runs: Sequence[Run]) -> int:
    return next((i for i, r in enumerate(runs) if r.figures.policy == BASELINE_POLICY), 0)


# (label, Figures attribute, unit); the share is shown in % and its change in points.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("Median time to acceptance", "median_minutes_to_acceptance", " min"),
    ("90th percentile time to acceptance", "p90_minutes_to_acceptance", " min"),
    ("Share never accepted", "share_never_accepted", "%"),
    ("Mean distance to the accepting agent", "mean_distance_miles", " mi"),
    ("90th percentile distance", "p90_distance_miles", " mi"),
    ("Offers per referral", "offers_per_referral", ""),
    ("Gini of offers per agent (every agent)", "gini_offers_per_agent", ""),
    ("Gini of offers per available agent", "gini_offers_per_available_agent", ""),
    ("Gini of acceptances per agent", "gini_acceptances_per_agent", ""),
    ("Max offers per agent", "max_offers_per_agent", ""),
)


def change(value: float | None, base: float | None, *, points: bool = False) -> float | None:
    """Against the baseline: in % of its figure, or in percentage points for a share."""
    if value is None or base is None:
        return None
    if points:
        return (value - base) * 100
    return None if base == 0 else (value - base) / base * 100


def show_change(value: float | None, *, points: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f} pts" if points else f"{value:+.1f}%"


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if unit == "%" else f"{value:g}{unit}"


@dataclass(frozen=True)
class Verdict:
    criterion: str
    met: bool
    detail: str


def target(run: Figures, base: Figures) -> tuple[Verdict, ...]:
    """Issue 14's target for `run` against the baseline `base`, criterion by criterion."""
    wait, base_wait = run.median_minutes_to_acceptance, base.median_minutes_to_acceptance
    share, base_share = run.share_never_accepted, base.share_never_accepted
    miles, base_miles = run.mean_distance_miles, base.mean_distance_miles
    gini = run.gini_offers_per_available_agent
    return (
        Verdict(
            "Median time to acceptance at least 30% lower",
            wait is not None
            and base_wait is not None
            and wait <= (1 - MEDIAN_WAIT_CUT) * base_wait + EPSILON,
            f"{show(wait, ' min')} vs {show(base_wait, ' min')} "
            f"({show_change(change(wait, base_wait))})",
        ),
        Verdict(
            "Share never accepted not higher",
            share is not None and base_share is not None and share <= base_share + EPSILON,
            f"{show(share, '%')} vs {show(base_share, '%')} "
            f"({show_change(change(share, base_share, points=True), points=True)})",
        ),
        Verdict(
            "Mean distance at most 20% higher",
            miles is not None
            and base_miles is not None
            and miles <= (1 + DISTANCE_RISE) * base_miles + EPSILON,
            f"{show(miles, ' mi')} vs {show(base_miles, ' mi')} "
            f"({show_change(change(miles, base_miles))})",
        ),
        Verdict(
            "Gini of offers per available agent 0.3 or less",
            gini <= GINI_CEILING + EPSILON,
            f"{gini:g}",
        ),
    )


def _row(label: str, cells: Sequence[str]) -> str:
    return f"| {label} | " + " | ".join(cells) + " |"


def to_markdown(runs: Sequence[Run], charts: Sequence[tuple[str, str]] = ()) -> str:
    b = baseline_index(runs)
    base = runs[b].figures
    shown = [r.figures for r in runs]
    names = [f"{r.name} (baseline)" if i == b else r.name for i, r in enumerate(runs)]
    why = (
        f"the first run routed by `{BASELINE_POLICY}`"
        if base.policy == BASELINE_POLICY
        else f"no run was routed by `{BASELINE_POLICY}`: the first run"
    )
    lines = [
        f"# Routing lab: {len(runs)} runs side by side",
        "",
        f"Baseline: **{runs[b].name}** ({why}). Changes against it in % of its figure; "
        "for the share never accepted, in percentage points.",
        "",
        _row("Figure", names),
        _row("---", ["---"] * len(runs)),
        _row("Scenario (seed)", [f"{f.scenario} ({f.seed})" for f in shown]),
        _row("Policy", [f.policy for f in shown]),
        _row("Requests (accepted)", [f"{f.requests} ({f.accepted})" for f in shown]),
        _row(
            "Available agents (of all)",
            [f"{f.available_agents or '-'} ({f.agents})" for f in shown],
        ),
    ]
    for label, attribute, unit in ROWS:
        cells = []
        for i, run in enumerate(runs):
            value = getattr(run.figures, attribute)
            text = show(value, unit)
            if i != b:
                points = unit == "%"
                moved = change(value, getattr(base, attribute), points=points)
                text += f" ({show_change(moved, points=points)})"
            cells.append(text)
        lines.append(_row(label, cells))
    lines += [
        "",
        "Available agents: those who could be offered a referral at some moment of the day "
        "(-: not recorded by the run, every agent counted).",
        "",
        *_target_section(runs, b),
        *chart_links(charts),
    ]
    return "\n".join(lines)


def _target_section(runs: Sequence[Run], b: int) -> list[str]:
    base = runs[b].figures
    own_gini = target(base, base)[-1]
    lines = [
        f"## Issue 14's target, against {runs[b].name}",
        "",
        "Median time to acceptance at least 30% lower, share never accepted not higher, "
        "mean distance at most 20% higher, and a Gini coefficient of offers per available "
        "agent of 0.3 or less.",
        "",
    ]
    others = [r for i, r in enumerate(runs) if i != b]
    if others:
        verdicts = [target(r.figures, base) for r in others]
        lines += [_row("Criterion", [r.name for r in others]), _row("---", ["---"] * len(others))]
        for k, first in enumerate(verdicts[0]):
            lines.append(
                _row(
                    first.criterion,
                    [f"{'met' if v[k].met else 'not met'}: {v[k].detail}" for v in verdicts],
                )
            )
        lines.append(_row("**Target**", [f"**{_overall(v)}**" for v in verdicts]))
        lines.append("")
    else:
        lines += ["Only the baseline: no run to check against it.", ""]
    lines += [
        f"The baseline's own Gini of offers per available agent: {own_gini.detail} "
        f"(0.3 or less: {'met' if own_gini.met else 'not met'}).",
        "",
    ]
    return lines


def _overall(verdicts: Sequence[Verdict]) -> str:
    met = sum(v.met for v in verdicts)
    return "met" if met == len(verdicts) else f"not met ({met} of {len(verdicts)} criteria)"


def write_comparison(folder: Path, runs: Sequence[Run]) -> Path:
    """Writes the comparison's report.md and charts into `folder`; returns the report."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = write_charts(folder, [series(r.name, r.outcome, r.figures) for r in runs])
    report = folder / "report.md"
    report.write_text(to_markdown(runs, charts), encoding="utf-8")
    return report
