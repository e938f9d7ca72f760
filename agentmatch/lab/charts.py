"""The lab's charts: self-contained SVG files (pygal) beside a run's or a comparison's report.

One function per chart takes one or more runs' series (one series per run in a comparison)
and returns the SVG text. The files load nothing from anywhere: pygal's tooltip script is
off (`js=[]`), its CSS is inlined, and its comments (a date and two web addresses) and its
per-render random id are taken out, so the same run gives the same bytes.
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pygal

from agentmatch.lab.outcome import Outcome
from agentmatch.lab.report import Figures, available_agents, gini, offers_per_agent

MINUTES = range(61)  # the time-to-acceptance chart's x axis: 0 to 60 minutes
LORENZ_POINTS = 100


def accepted_within(outcome: Outcome, minutes: Sequence[int] = MINUTES) -> tuple[float, ...]:
    """For each x: the share (0 to 1) of accepted requests accepted within x minutes."""
    waits = sorted(
        (r.accepted_at - r.created_at) / 60 for r in outcome.referrals if r.accepted_at is not None
    )
    if not waits:
        return tuple(0.0 for _ in minutes)
    return tuple(sum(w <= x for w in waits) / len(waits) for x in minutes)


def lorenz(values: Sequence[float], points: int = LORENZ_POINTS) -> tuple[tuple[float, float], ...]:
    """The Lorenz curve as (share of agents, share of offers) pairs, 0 to 1, at `points` + 1
    evenly spaced shares of agents, poorest first; exact between agents (it is linear there).
    Nothing to share out: the line of perfect equality (as the Gini of 0 says)."""
    ordered, total = sorted(values), sum(values)
    if not ordered or total == 0:
        return tuple((i / points, i / points) for i in range(points + 1))
    cumulative = [0.0]
    for value in ordered:
        cumulative.append(cumulative[-1] + value)
    n, curve = len(ordered), []
    for i in range(points + 1):
        position = i / points * n
        k = min(math.floor(position), n - 1)
        y = cumulative[k] + (position - k) * (cumulative[k + 1] - cumulative[k])
        curve.append((i / points, y / total))
    return tuple(curve)


@dataclass(frozen=True)
class Series:
    """One run's numbers for the charts."""

    name: str
    accepted_within: tuple[float, ...]  # at MINUTES
    backlog_by_hour: tuple[int, ...]
    lorenz_every_agent: tuple[tuple[float, float], ...]
    gini_every_agent: float
    lorenz_available: tuple[tuple[float, float], ...] | None  # None: availability not recorded
    gini_available: float


def series(name: str, outcome: Outcome, figures: Figures) -> Series:
    recorded = bool(outcome.available_agents)
    available = offers_per_agent(outcome, available_agents(outcome))
    return Series(
        name=name,
        accepted_within=accepted_within(outcome),
        backlog_by_hour=figures.backlog_by_hour,
        lorenz_every_agent=lorenz(offers_per_agent(outcome, outcome.agents)),
        gini_every_agent=figures.gini_offers_per_agent,
        lorenz_available=lorenz(available) if recorded else None,
        gini_available=round(gini(available), 4),
    )


def _percent(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(round(x * 100, 2), round(y * 100, 2)) for x, y in points]


def _config(title: str, x_title: str, y_title: str) -> dict[str, object]:
    return {
        "title": title,
        "x_title": x_title,
        "y_title": y_title,
        "js": [],  # no tooltip script from the web: the file stands alone
        "legend_at_bottom": True,
        "show_x_guides": True,
        "width": 900,
        "height": 540,
        "truncate_legend": -1,
    }


def time_to_acceptance_chart(runs: Sequence[Series]) -> str:
    chart = pygal.XY(
        **_config(
            "Time to acceptance: share of accepted requests accepted within x minutes",
            "Minutes from the request",
            "Accepted by then (%)",
        ),
        range=(0, 100),
        xrange=(0, 60),
        x_labels=list(range(0, 61, 5)),
        show_dots=False,
    )
    for run in runs:
        chart.add(
            run.name,
            [(x, round(s * 100, 2)) for x, s in zip(MINUTES, run.accepted_within, strict=True)],
        )
    return _standalone(chart.render(is_unicode=True), "time-to-acceptance")


def backlog_chart(runs: Sequence[Series]) -> str:
    chart = pygal.Bar(
        **_config(
            "Backlog by hour: requests still open at the end of each hour",
            "Hour of the day (counted at its end; the scenario's time zone)",
            "Requests still open",
        ),
        x_labels=[f"{h:02d}" for h in range(24)],
    )
    for run in runs:
        chart.add(run.name, list(run.backlog_by_hour))
    return _standalone(chart.render(is_unicode=True), "backlog-by-hour")


def offers_per_agent_chart(runs: Sequence[Series]) -> str:
    """One run: its Lorenz curves over every agent and over available agents. Several: each
    run's over available agents (the target's), every agent where that is not recorded."""
    if len(runs) == 1:
        run = runs[0]
        curves = [(f"Every agent (Gini {run.gini_every_agent:g})", run.lorenz_every_agent)]
        title = f"Offers per agent: Lorenz curve (Gini {run.gini_every_agent:g} over every agent"
        if run.lorenz_available is not None:
            curves.append((f"Available agents (Gini {run.gini_available:g})", run.lorenz_available))
            title += f", {run.gini_available:g} over available agents"
        title += ")"
    else:
        curves = [
            (
                f"{run.name} (Gini {run.gini_available:g})",
                run.lorenz_available or run.lorenz_every_agent,
            )
            for run in runs
        ]
        title = "Offers per available agent: Lorenz curves (Gini: " + ", ".join(
            f"{run.name} {run.gini_available:g}" for run in runs
        )
        title += ")"
    chart = pygal.XY(
        **_config(
            title,
            "Agents, fewest offers first (cumulative %)",
            "Share of offers (cumulative %)",
        ),
        range=(0, 100),
        xrange=(0, 100),
        x_labels=list(range(0, 101, 10)),
        show_dots=False,
    )
    for name, curve in curves:
        chart.add(name, _percent(curve))
    # Last, so each run keeps its colour from the other charts.
    chart.add("Perfectly even (Gini 0)", [(0, 0), (100, 100)], stroke_style={"dasharray": "4,4"})
    return _standalone(chart.render(is_unicode=True), "offers-per-agent")


def _standalone(svg: str, name: str) -> str:
    """pygal's output without its comments (a date, two web addresses), its configuration
    script (read only by the tooltip script, which is off) and its random id per render."""
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<script\b[^>]*>.*?</script>", "", svg, flags=re.DOTALL)
    found = re.search(r'id="chart-([0-9a-f-]{36})"', svg)
    return svg.replace(found.group(1), name) if found else svg


# (title for the report, file name, chart)
CHARTS: tuple[tuple[str, str, Callable[[Sequence[Series]], str]], ...] = (
    ("Time to acceptance", "time-to-acceptance.svg", time_to_acceptance_chart),
    ("Backlog by hour", "backlog-by-hour.svg", backlog_chart),
    ("Offers per agent: Lorenz curve", "offers-per-agent.svg", offers_per_agent_chart),
)


def write_charts(folder: Path, runs: Sequence[Series]) -> list[tuple[str, str]]:
    """Writes every chart into `folder`; returns (title, file name) pairs for the report."""
    written = []
    for title, name, draw in CHARTS:
        (folder / name).write_text(draw(runs), encoding="utf-8")
        written.append((title, name))
    return written
