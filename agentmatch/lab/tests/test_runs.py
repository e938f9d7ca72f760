"""A run's folder: the outcome written and read back as it was, and clear refusals."""

from dataclasses import replace
from pathlib import Path

import pytest

from agentmatch.lab.outcome import Outcome
from agentmatch.lab.runs import (
    OUTCOME_FILE,
    RunError,
    outcome_from_json,
    outcome_to_json,
    read_run,
    write_run,
)
from agentmatch.lab.tests.test_report import OUTCOME


def test_an_outcome_reads_back_equal_to_what_was_written() -> None:
    outcome = replace(OUTCOME, available_agents=("A", "B"), swept=2, late_answers=1)
    assert outcome_from_json(outcome_to_json(outcome)) == outcome
    empty = Outcome("empty", 3, "fair", ("A",), (), refused=0, late_answers=0)
    assert outcome_from_json(outcome_to_json(empty)) == empty


def test_a_run_folder_holds_the_report_figures_charts_and_outcome(tmp_path: Path) -> None:
    result = write_run(tmp_path / "run", OUTCOME)
    assert result.median_minutes_to_acceptance == 20
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert names == {
        "report.md", "figures.json", OUTCOME_FILE,
        "time-to-acceptance.svg", "backlog-by-hour.svg", "offers-per-agent.svg",
    }  # fmt: skip
    assert (
        "![Time to acceptance](time-to-acceptance.svg)" in (tmp_path / "run/report.md").read_text()
    )
    assert read_run(tmp_path / "run") == OUTCOME


def test_an_outcome_written_before_availability_was_recorded_still_reads(tmp_path: Path) -> None:
    text = outcome_to_json(OUTCOME).replace(', "swept": 0, "available_agents": []', "")
    assert '"swept"' not in text
    assert outcome_from_json(text) == OUTCOME


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "outcome.json: not JSON"),
        ('{"scenario": "x"}', "not a routing-lab outcome"),
        (outcome_to_json(OUTCOME).replace('"seed": 1', '"seed": "one"'), "seed must be a whole"),
        (outcome_to_json(OUTCOME).replace('"refused": 1, ', ""), "refused is missing"),
        (outcome_to_json(OUTCOME).replace('"agent": "A"', '"agent": 5'), "offer.agent must be"),
        (outcome_to_json(OUTCOME).replace('"offers": [', '"offers": ["x", ', 1), "wrong shape"),
    ],
)
def test_a_broken_outcome_is_refused_saying_what_is_wrong(
    tmp_path: Path, content: str, problem: str
) -> None:
    (tmp_path / OUTCOME_FILE).write_text(content)
    with pytest.raises(RunError, match=problem):
        read_run(tmp_path)


def test_a_missing_folder_or_outcome_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="nowhere: no such folder"):
        read_run(tmp_path / "nowhere")
    with pytest.raises(RunError, match=r"no outcome\.json"):
        read_run(tmp_path)
