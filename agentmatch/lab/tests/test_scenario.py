"""Scenario files: the shipped ones load; a wrong one names every problem at once."""

import math
import tomllib
from pathlib import Path

import pytest

from agentmatch.lab.scenario import ScenarioError, load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TINY = SCENARIOS / "tiny.toml"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.policy == "nearest"
    assert len(scenario.demand.hourly) == 24


def test_the_tiny_scenario_reads_as_written() -> None:
    scenario = load_scenario(TINY)
    assert (scenario.seed, scenario.agents.count, scenario.demand.requests) == (7, 12, 15)
    assert scenario.offer_window_seconds == 600
    bands = scenario.behaviour.accept_by_distance
    assert [(b.up_to_miles, b.accept) for b in bands] == [(25, 0.9), (100, 0.6), (math.inf, 0.3)]
    assert scenario.plan_year == 2027  # open enrollment in November sells next year's plans


def test_a_wrong_scenario_names_every_problem_with_its_key() -> None:
    data = tomllib.loads(TINY.read_text())
    data["agents"]["count"] = 0
    data["agents"]["states"] = {"CA": 1, "WI": -2}
    data["demand"]["hourly"] = [1, 2, 3]
    data["behaviour"]["answer_share"] = 1.5
    data["policy"]["name"] = "fastest"
    data["colour"] = "blue"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    problems = caught.value.problems
    assert "agents.count: must be between 1 and 200000, not 0" in problems
    assert any(p.startswith("agents.states.CA: is not one of") for p in problems)
    assert "agents.states.WI: must be a number 0 or more" in problems
    assert any(p.startswith("demand.hourly: must be a list of 24 numbers") for p in problems)
    assert "behaviour.answer_share: must be between 0 and 1, not 1.5" in problems
    assert "policy.name: must be one of nearest, fair, responsive, not 'fastest'" in problems
    assert "colour: is not a scenario key" in problems
    assert len(problems) == 7


def test_required_keys_are_named_when_missing() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario({})
    assert caught.value.problems == ["agents.count: is required", "demand.requests: is required"]


def test_a_peak_shape_puts_most_requests_at_the_peak_hour() -> None:
    data = tomllib.loads(TINY.read_text())
    del data["demand"]["hourly"]
    data["demand"]["peak"] = {"hour": 12.5, "width_hours": 2, "floor": 0.1}
    hourly = parse_scenario(data).demand.hourly
    assert max(range(24), key=lambda h: hourly[h]) == 12
    assert min(hourly) >= 0.1


def test_a_file_that_is_not_toml_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = = 3\n")
    with pytest.raises(ScenarioError, match="is not valid TOML"):
        load_scenario(bad)


def test_policy_parameters_are_known_and_typed(tmp_path: Path) -> None:
    text = TINY.read_text().replace(
        '[policy]\nname = "nearest"', '[policy]\nname = "fair"\nband = 3\nband_miles = "far"'
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bad)
    problems = str(caught.value)
    assert "policy.band: not a policy parameter; known: band_miles" in problems
    assert "policy.band_miles: must be a number, not 'far'" in problems


def test_a_whole_number_of_miles_is_a_band(tmp_path: Path) -> None:
    text = TINY.read_text().replace(
        '[policy]\nname = "nearest"', '[policy]\nname = "fair"\nband_miles = 5'
    )
    good = tmp_path / "good.toml"
    good.write_text(text)
    assert load_scenario(good).policy_parameters == {"band_miles": 5}


def test_load_language_and_coming_back_are_read_and_checked() -> None:
    data = tomllib.loads(TINY.read_text())
    data["behaviour"].update(
        call_median_seconds=1200,
        accept_drop_per_referral=0.05,
        accept_by_language={"es": 0.9},
        back_share=0.8,
        back_median_seconds=1800,
    )
    b = parse_scenario(data).behaviour
    assert (b.call_median_seconds, b.call_sigma, b.accept_drop_per_referral) == (1200, 0.5, 0.05)
    assert (b.accept_by_language, b.back_share, b.back_median_seconds) == ({"es": 0.9}, 0.8, 1800)
    data["behaviour"].update(
        call_median_seconds=-1,
        accept_drop_per_referral=2,
        accept_by_language={"es": 1.5, "xx": 0.5, "vi": "half"},
        back_share=True,
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    problems = caught.value.problems
    assert "behaviour.call_median_seconds: must be between 0 and inf, not -1" in problems
    assert "behaviour.accept_drop_per_referral: must be between 0 and 1, not 2" in problems
    assert "behaviour.accept_by_language.es: must be between 0 and 1, not 1.5" in problems
    assert any(p.startswith("behaviour.accept_by_language.xx: is not one of") for p in problems)
    assert "behaviour.accept_by_language.vi: must be a number between 0 and 1" in problems
    assert "behaviour.back_share: must be a number" in problems
    assert len(problems) == 6


def test_without_them_agents_never_call_nor_come_back() -> None:
    b = load_scenario(TINY).behaviour
    assert (b.call_median_seconds, b.accept_drop_per_referral, b.back_share) == (0, 0, 0)
    assert b.accept_by_language == {}
