"""Runs side by side: the table's changes and issue 14's target worked out by hand."""

import os
import subprocess
import sys
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agentmatch.lab.compare import Run, baseline_index, load_runs, target, to_markdown
from agentmatch.lab.outcome import OfferRecord, Outcome, ReferralRecord
from agentmatch.lab.report import figures
from agentmatch.lab.runs import OUTCOME_FILE, read_run, write_run

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml"


def offer(agent: str, status: str) -> OfferRecord:
    return OfferRecord(agent=agent, offered_at=0, distance_miles=1.0, status=status)


def referral(
    index: int, accepted_minutes: float | None, miles: float | None, *offers: OfferRecord
) -> ReferralRecord:
    at = None if accepted_minutes is None else accepted_minutes * 60
    status = "accepted" if at is not None else "unmatched"
    return ReferralRecord(index, "WI", "en", 0, status, at, at or 3600, miles, offers)  # fmt: skip


# Baseline (nearest): waits 10, 20, 30 min, one never accepted; 10, 20, 30 mi; 5 offers.
# Offers A 4, B 1, C 0, D 0 (Gini 0.65); over A, B, C, the available ones: 0.5333.
# Acceptances A 3 (Gini 0.75).
NEAREST = Outcome(
    "hand", 1, "nearest", ("A", "B", "C", "D"),
    (
        referral(0, 10, 10.0, offer("A", "accepted")),
        referral(1, 20, 20.0, offer("B", "expired"), offer("A", "accepted")),
        referral(2, None, None, offer("A", "rejected")),
        referral(3, 30, 30.0, offer("A", "accepted")),
    ),
    refused=0, late_answers=0, available_agents=("A", "B", "C"),
)  # fmt: skip
# Fair: waits 5, 12, 15 min (median -40%), one never accepted (+0 pts); 10, 22, 30 mi
# (mean 20.67 as shown: +3.4%); 5 offers; offers A 2, B 1, C 1, D 1 (Gini 0.15 over all four, all
# available); acceptances B, C, D 1 each (Gini 0.25). Meets every criterion.
FAIR = Outcome(
    "hand", 1, "fair", ("A", "B", "C", "D"),
    (
        referral(0, 5, 10.0, offer("B", "accepted")),
        referral(1, 12, 22.0, offer("C", "accepted")),
        referral(2, 15, 30.0, offer("A", "rejected"), offer("D", "accepted")),
        referral(3, None, None, offer("A", "expired")),
    ),
    refused=0, late_answers=0, available_agents=("A", "B", "C", "D"),
)  # fmt: skip


def runs() -> list[Run]:
    return [Run("fair", FAIR, figures(FAIR)), Run("nearest", NEAREST, figures(NEAREST))]


def test_the_table_shows_each_figure_and_its_change_against_nearest() -> None:
    text = to_markdown(runs())
    assert "Baseline: **nearest** (the first run routed by `nearest`)" in text
    assert "| Figure | fair | nearest (baseline) |" in text
    assert "| Median time to acceptance | 12 min (-40.0%) | 20 min |" in text
    assert "| 90th percentile time to acceptance | 15 min (-50.0%) | 30 min |" in text
    assert "| Share never accepted | 25.0% (+0.0 pts) | 25.0% |" in text
    assert "| Mean distance to the accepting agent | 20.67 mi (+3.4%) | 20 mi |" in text
    assert "| 90th percentile distance | 30 mi (+0.0%) | 30 mi |" in text
    assert "| Offers per referral | 1.25 (+0.0%) | 1.25 |" in text
    assert "| Gini of offers per agent (every agent) | 0.15 (-76.9%) | 0.65 |" in text
    assert "| Gini of offers per available agent | 0.15 (-71.9%) | 0.5333 |" in text
    assert "| Gini of acceptances per agent | 0.25 (-66.7%) | 0.75 |" in text
    assert "| Max offers per agent | 2 (-50.0%) | 4 |" in text
    assert "| Available agents (of all) | 4 (4) | 3 (4) |" in text


def test_the_target_is_checked_for_each_run_against_the_baseline() -> None:
    text = to_markdown(runs())
    assert (
        "| Median time to acceptance at least 30% lower | met: 12 min vs 20 min (-40.0%) |" in text
    )
    assert "| Share never accepted not higher | met: 25.0% vs 25.0% (+0.0 pts) |" in text
    assert "| Mean distance at most 20% higher | met: 20.67 mi vs 20 mi (+3.4%) |" in text
    assert "| Gini of offers per available agent 0.3 or less | met: 0.15 |" in text
    assert "| **Target** | **met** |" in text
    assert "own Gini of offers per available agent: 0.5333 (0.3 or less: not met)" in text
    # The other way round, nearest against fair, misses all four.
    verdicts = target(figures(NEAREST), figures(FAIR))
    assert [v.met for v in verdicts] == [False, True, True, False]


def test_a_run_exactly_on_each_threshold_meets_it_and_just_past_it_does_not() -> None:
    base = replace(
        figures(NEAREST), median_minutes_to_acceptance=10, share_never_accepted=0.1,
        mean_distance_miles=10,
    )  # fmt: skip
    on = replace(
        base, median_minutes_to_acceptance=7, mean_distance_miles=12,
        gini_offers_per_available_agent=0.3,
    )  # fmt: skip
    assert all(v.met for v in target(on, base))
    past = replace(
        base, median_minutes_to_acceptance=7.01, share_never_accepted=0.1001,
        mean_distance_miles=12.01, gini_offers_per_available_agent=0.3001,
    )  # fmt: skip
    assert not any(v.met for v in target(past, base))
    nothing = replace(base, median_minutes_to_acceptance=None, mean_distance_miles=None)
    assert [v.met for v in target(nothing, base)][::2] == [False, False]


def test_without_a_nearest_run_the_first_is_the_baseline_and_the_report_says_so() -> None:
    fair = runs()[0]
    responsive = Run("responsive", replace(FAIR, policy="responsive"), figures(FAIR))
    assert baseline_index([fair, responsive]) == 0
    assert baseline_index(runs()) == 1
    text = to_markdown([fair, responsive])
    assert "Baseline: **fair** (no run was routed by `nearest`: the first run)" in text


def test_compare_runs_writes_the_report_and_charts(tmp_path: Path) -> None:
    write_run(tmp_path / "nearest", NEAREST)
    write_run(tmp_path / "fair", FAIR)
    out = StringIO()
    call_command(
        "compare_runs", str(tmp_path / "fair"), str(tmp_path / "nearest"),
        "--out", str(tmp_path / "cmp"), stdout=out,
    )  # fmt: skip
    report = (tmp_path / "cmp" / "report.md").read_text()
    assert "| Median time to acceptance | 12 min (-40.0%) | 20 min |" in report
    assert "![Offers per agent: Lorenz curve](offers-per-agent.svg)" in report
    lorenz = (tmp_path / "cmp" / "offers-per-agent.svg").read_text()
    assert "Gini: fair 0.15, nearest 0.5333" in lorenz
    assert "2 runs against nearest" in out.getvalue()
    assert [r.name for r in load_runs([tmp_path / "nearest", tmp_path / "fair"])] == [
        "nearest", "fair",
    ]  # fmt: skip


def test_compare_runs_refuses_a_missing_folder_or_a_broken_outcome(tmp_path: Path) -> None:
    write_run(tmp_path / "nearest", NEAREST)
    with pytest.raises(CommandError, match="nowhere: no such folder"):
        call_command("compare_runs", str(tmp_path / "nowhere"), "--out", str(tmp_path / "c"))
    (tmp_path / "nearest" / OUTCOME_FILE).write_text("{")
    with pytest.raises(CommandError, match=r"outcome\.json: not JSON"):
        call_command("compare_runs", str(tmp_path / "nearest"), "--out", str(tmp_path / "c"))
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--compare", "nearest,fastest"], "unknown policy 'fastest': choose among nearest, fair"),
        (["--compare", "fair,fair"], "a policy is named twice"),
        (["--compare", "nearest,fair", "--here"], "leave out --here"),
        (["--compare", "nearest,fair", "--policy", "fair"], "give one or the other"),
    ],
)
def test_simulate_compare_refuses_a_wrong_list_before_running(
    tmp_path: Path, arguments: list[str], problem: str
) -> None:
    with pytest.raises(CommandError, match=problem):
        call_command("simulate", str(TINY), "--out", str(tmp_path / "out"), *arguments)
    assert not (tmp_path / "out").exists()


def test_simulate_compare_runs_each_policy_in_its_folder_then_compares(tmp_path: Path) -> None:
    # Its own process, as an operator runs it: each policy on a fresh SQLite file.
    env = {**os.environ, "AGENTMATCH_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "agentmatch", "simulate", str(TINY), "--compare", "fair,nearest",
         "--out", str(tmp_path / "day"), "--verbosity", "0"],
        env=env, check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    for policy in ("fair", "nearest"):
        assert read_run(tmp_path / "day" / policy).policy == policy
        assert (tmp_path / "day" / policy / "lab.sqlite3").exists()
    report = (tmp_path / "day" / "report.md").read_text()
    assert "Baseline: **nearest** (the first run routed by `nearest`)" in report
    assert "| Figure | fair | nearest (baseline) |" in report
    assert "| Requests (accepted) | 15 (" in report
    assert {"time-to-acceptance.svg", "backlog-by-hour.svg", "offers-per-agent.svg"} <= {
        p.name for p in (tmp_path / "day").iterdir()
    }
    assert f"Comparison: {tmp_path / 'day' / 'report.md'}" in done.stdout
