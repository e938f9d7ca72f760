"""The charts' numbers worked out by hand, and their SVG files standing alone."""

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from agentmatch.lab.charts import CHARTS, accepted_within, lorenz, series, write_charts
from agentmatch.lab.report import figures
from agentmatch.lab.tests.test_report import OUTCOME

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_accepted_within_is_the_share_of_accepted_requests_by_each_minute() -> None:
    # Waits 20, 5 and 60 minutes; the unmatched request does not count.
    shares = accepted_within(OUTCOME)
    assert len(shares) == 61
    assert shares[4] == 0
    assert shares[5] == pytest.approx(1 / 3)
    assert shares[19] == pytest.approx(1 / 3)
    assert shares[20] == pytest.approx(2 / 3)
    assert shares[59] == pytest.approx(2 / 3)
    assert shares[60] == 1


def test_the_lorenz_curve_runs_from_the_poorest_agents_to_the_richest() -> None:
    assert lorenz([6, 0, 0], points=3) == ((0, 0), (1 / 3, 0), (2 / 3, 0), (1, 1))
    # Between agents the curve is linear: half of the poorer agent's share at a quarter.
    assert lorenz([1, 3], points=4) == ((0, 0), (0.25, 0.125), (0.5, 0.25), (0.75, 0.625), (1, 1))
    assert lorenz([2, 2], points=2) == ((0, 0), (0.5, 0.5), (1, 1))
    assert lorenz([], points=2) == lorenz([0, 0], points=2) == ((0, 0), (0.5, 0.5), (1, 1))


def urls(svg: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)]+", svg))


@pytest.mark.parametrize("runs", [1, 2])
def test_the_charts_are_svg_files_that_load_nothing_from_anywhere(
    tmp_path: Path, runs: int
) -> None:
    available = replace(OUTCOME, available_agents=("A", "B"))
    drawn = [series(f"run{i}", available, figures(available)) for i in range(runs)]
    written = write_charts(tmp_path, drawn)
    assert [name for _, name in written] == [name for _, name, _ in CHARTS]
    for _, name in written:
        svg = (tmp_path / name).read_text(encoding="utf-8")
        ET.fromstring(svg.encode())  # well-formed
        assert urls(svg) <= NAMESPACES, name
        assert "<script" not in svg
        assert "<!--" not in svg
        assert "<title>" in svg or 'class="title"' in svg
    # The same run draws the same bytes (no date, no random id).
    again = tmp_path / "again"
    again.mkdir()
    write_charts(again, drawn)
    for _, name in written:
        assert (again / name).read_bytes() == (tmp_path / name).read_bytes()


def test_the_charts_carry_titles_axis_labels_and_the_gini_in_words(tmp_path: Path) -> None:
    available = replace(OUTCOME, available_agents=("A", "B"))
    write_charts(tmp_path, [series("nearest", available, figures(available))])
    lorenz_svg = (tmp_path / "offers-per-agent.svg").read_text()
    assert "Gini 0.4 over every agent, 0.1 over available agents" in lorenz_svg
    assert "Agents, fewest offers first (cumulative %)" in lorenz_svg
    waits = (tmp_path / "time-to-acceptance.svg").read_text()
    assert "share of accepted requests accepted within x minutes" in waits
    assert "Minutes from the request" in waits
    backlog = (tmp_path / "backlog-by-hour.svg").read_text()
    assert "Requests still open" in backlog
