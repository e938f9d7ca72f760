"""The figures of a simulated day, and their Markdown and JSON: pure functions of an Outcome.

Definitions (so a run and a live day can be compared figure for figure):
- time to acceptance: from the request to the accepting answer, accepted requests only;
- percentiles are nearest-rank (the smallest value with at least p% of values at or below);
- share never accepted: stored requests that no agent accepted (refused ones are counted apart);
- distance: to the agent who accepted;
- offers and acceptances per agent count every simulated agent, zeros included, so the
  Gini coefficient (0: all equal, 1: one agent has all) says how evenly work spread;
- offers per available agent count the agents who could be offered a referral at some
  moment of the day (`Outcome.available_agents`; every agent when that is not recorded):
  the "eligible agents" of issue 14's fairness target (a Gini of 0.3 or less);
- backlog at hour h: requests made before the end of hour h and still open then.
"""

import json
import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from agentmatch.lab.outcome import Outcome

HOUR = 3600.0


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def gini(values: Sequence[float]) -> float:
    """0 when everyone has the same, towards 1 when one has everything."""
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return 0.0
    ranked = sum((i + 1) * x for i, x in enumerate(sorted(values)))
    return 2 * ranked / (n * total) - (n + 1) / n


def offers_per_agent(outcome: Outcome, agents: Sequence[str]) -> list[int]:
    """How many offers each of `agents` received, in their order, zeros included."""
    offered = Counter(o.agent for r in outcome.referrals for o in r.offers)
    return [offered.get(npn, 0) for npn in agents]


def available_agents(outcome: Outcome) -> tuple[str, ...]:
    """The agents the fairness target counts: those available at some moment, or all."""
    return outcome.available_agents or outcome.agents


@dataclass(frozen=True)
class Figures:
    scenario: str
    seed: int
    policy: str
    requests: int
    refused: int
    accepted: int
    median_minutes_to_acceptance: float | None
    p90_minutes_to_acceptance: float | None
    share_never_accepted: float | None
    mean_distance_miles: float | None
    p90_distance_miles: float | None
    offers_per_referral: float | None
    agents: int
    mean_offers_per_agent: float
    max_offers_per_agent: int
    gini_offers_per_agent: float
    available_agents: int  # who could be offered at some moment; 0: not recorded (all count)
    gini_offers_per_available_agent: float
    mean_acceptances_per_agent: float
    max_acceptances_per_agent: int
    gini_acceptances_per_agent: float
    backlog_by_hour: tuple[int, ...]  # open at the end of hour 0 .. 23
    open_at_end: int
    late_answers: int
    swept: int


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def figures(outcome: Outcome) -> Figures:
    referrals = outcome.referrals
    waits = [(r.accepted_at - r.created_at) / 60 for r in referrals if r.accepted_at is not None]
    miles = [r.distance_miles for r in referrals if r.distance_miles is not None]
    took = Counter(o.agent for r in referrals for o in r.offers if o.status == "accepted")
    per_agent_offers = offers_per_agent(outcome, outcome.agents)
    per_agent_accepts = [took.get(npn, 0) for npn in outcome.agents]
    n = len(referrals)

    def open_at(t: float) -> int:
        return sum(r.created_at <= t and (r.ended_at is None or r.ended_at > t) for r in referrals)

    return Figures(
        scenario=outcome.scenario,
        seed=outcome.seed,
        policy=outcome.policy,
        requests=n,
        refused=outcome.refused,
        accepted=len(waits),
        median_minutes_to_acceptance=_round(median(waits)),
        p90_minutes_to_acceptance=_round(percentile(waits, 90)),
        share_never_accepted=_round((n - len(waits)) / n, 4) if n else None,
        mean_distance_miles=_round(statistics.fmean(miles)) if miles else None,
        p90_distance_miles=_round(percentile(miles, 90)),
        offers_per_referral=_round(sum(len(r.offers) for r in referrals) / n) if n else None,
        agents=len(outcome.agents),
        mean_offers_per_agent=_round(statistics.fmean(per_agent_offers)) or 0.0
        if per_agent_offers
        else 0.0,
        max_offers_per_agent=max(per_agent_offers, default=0),
        gini_offers_per_agent=round(gini(per_agent_offers), 4),
        available_agents=len(outcome.available_agents),
        gini_offers_per_available_agent=round(
            gini(offers_per_agent(outcome, available_agents(outcome))), 4
        ),
        mean_acceptances_per_agent=_round(statistics.fmean(per_agent_accepts)) or 0.0
        if per_agent_accepts
        else 0.0,
        max_acceptances_per_agent=max(per_agent_accepts, default=0),
        gini_acceptances_per_agent=round(gini(per_agent_accepts), 4),
        backlog_by_hour=tuple(open_at((h + 1) * HOUR) for h in range(24)),
        open_at_end=sum(r.ended_at is None for r in referrals),
        late_answers=outcome.late_answers,
        swept=outcome.swept,
    )


def to_json(f: Figures) -> str:
    return json.dumps(asdict(f), indent=2) + "\n"


def _show(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:g}{unit}"


def available_label(f: Figures) -> str:
    if f.available_agents:
        return f"the {f.available_agents} agents who could be offered at some moment of the day"
    return "availability not recorded: every agent"


def to_markdown(f: Figures, charts: Sequence[tuple[str, str]] = ()) -> str:
    """The report; `charts` are (title, file name) pairs of SVGs beside it, linked."""
    share = "n/a" if f.share_never_accepted is None else f"{f.share_never_accepted:.1%}"
    rows = [
        ("Requests stored", str(f.requests)),
        ("Requests refused by the intake", str(f.refused)),
        ("Accepted", str(f.accepted)),
        ("Median time to acceptance", _show(f.median_minutes_to_acceptance, " min")),
        ("90th percentile time to acceptance", _show(f.p90_minutes_to_acceptance, " min")),
        ("Share never accepted", share),
        ("Mean distance to the accepting agent", _show(f.mean_distance_miles, " mi")),
        ("90th percentile distance", _show(f.p90_distance_miles, " mi")),
        ("Offers per referral", _show(f.offers_per_referral)),
        ("Agents", str(f.agents)),
        (
            "Offers per agent (mean / max)",
            f"{f.mean_offers_per_agent:g} / {f.max_offers_per_agent}",
        ),
        ("Gini coefficient of offers per agent (every agent)", f"{f.gini_offers_per_agent:g}"),
        (
            f"Gini coefficient of offers per available agent ({available_label(f)}; "
            "issue 14's target: 0.3 or less)",
            f"{f.gini_offers_per_available_agent:g}",
        ),
        (
            "Acceptances per agent (mean / max)",
            f"{f.mean_acceptances_per_agent:g} / {f.max_acceptances_per_agent}",
        ),
        ("Gini coefficient of acceptances per agent", f"{f.gini_acceptances_per_agent:g}"),
        ("Still open when the run ended", str(f.open_at_end)),
        ("Answers that came too late (offer already closed)", str(f.late_answers)),
        ("Offers made by the worker's sweep of waiting requests", str(f.swept)),
    ]
    lines = [
        f"# Routing lab: {f.scenario} (seed {f.seed}, policy {f.policy})",
        "",
        "| Figure | Value |",
        "| --- | --- |",
        *(f"| {label} | {value} |" for label, value in rows),
        "",
        "## Backlog by hour",
        "",
        "Requests still open at the end of each hour (the scenario's time zone).",
        "",
        "| Hour | Open |",
        "| --- | --- |",
        *(f"| {h:02d}:00 to {h + 1:02d}:00 | {n} |" for h, n in enumerate(f.backlog_by_hour)),
        "",
    ]
    return "\n".join(lines + chart_links(charts))


def chart_links(charts: Sequence[tuple[str, str]]) -> list[str]:
    """Markdown lines showing each (title, file name) SVG beside the report."""
    if not charts:
        return []
    return ["## Charts", "", *(f"![{title}]({name})\n" for title, name in charts)]
