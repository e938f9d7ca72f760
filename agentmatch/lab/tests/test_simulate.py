"""The simulator on the real routing code: deterministic for a seed; the command end to end."""

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agentmatch.demo.loader import remove_demo
from agentmatch.lab.runs import read_run
from agentmatch.lab.scenario import load_scenario
from agentmatch.lab.simulator import simulate
from agentmatch.referrals.models import Offer, Referral, ReferralEvent
from agentmatch.testing import make_agent, plan_year_2026

pytestmark = pytest.mark.django_db

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml"


def forget_the_run(plan_year: int) -> None:
    Referral.objects.all().delete()
    remove_demo(plan_year=plan_year)


def test_the_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    scenario = load_scenario(TINY)
    first = simulate(scenario)
    forget_the_run(scenario.plan_year)
    second = simulate(scenario)
    assert first == second
    # The day went through the real code: offers made, answered, accepted and lapsed.
    statuses = {o.status for r in first.referrals for o in r.offers}
    assert {"accepted", "expired"} <= statuses
    assert len(first.referrals) == 15
    forget_the_run(scenario.plan_year)
    other = simulate(replace(scenario, seed=8))
    assert other != first


def test_the_run_uses_the_real_offer_window() -> None:
    scenario = load_scenario(TINY)
    simulate(scenario)
    windows = {(o.expires_at - o.offered_at).total_seconds() for o in Offer.objects.all()}
    assert windows == {600}
    assert ReferralEvent.objects.filter(code="offered").count() == Offer.objects.count()


def test_the_command_writes_the_report_and_figures(tmp_path: Path) -> None:
    out = StringIO()
    call_command("simulate", str(TINY), "--here", "--out", str(tmp_path), stdout=out, verbosity=0)
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["requests"] == 15
    assert figures["scenario"] == "tiny"
    assert figures["policy"] == "nearest"
    assert "# Routing lab: tiny (seed 7, policy nearest)" in (tmp_path / "report.md").read_text()
    assert "15 requests" in out.getvalue()
    # The outcome itself, to compare runs later, and the charts the report shows.
    assert len(read_run(tmp_path).referrals) == 15
    for chart in ("time-to-acceptance.svg", "backlog-by-hour.svg", "offers-per-agent.svg"):
        assert f"]({chart})" in (tmp_path / "report.md").read_text()
        assert (tmp_path / chart).read_text().startswith("<?xml")


def test_the_command_takes_a_seed_and_a_policy(tmp_path: Path) -> None:
    call_command(
        "simulate", str(TINY), "--here", "--out", str(tmp_path), "--seed", "9",
        "--policy", "fair", verbosity=0, stdout=StringIO(),
    )  # fmt: skip
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert (figures["seed"], figures["policy"]) == (9, "fair")


def test_the_command_refuses_a_database_with_agents(tmp_path: Path) -> None:
    plan_year_2026()
    make_agent(zip_code="53703")
    with pytest.raises(CommandError, match="holds 1 agents and 0 referrals"):
        call_command("simulate", str(TINY), "--here", "--out", str(tmp_path), verbosity=0)
    assert not (tmp_path / "report.md").exists()


def test_the_command_names_the_scenario_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[agents]\ncount = -1\n")
    with pytest.raises(CommandError) as caught:
        call_command("simulate", str(bad), "--here", "--out", str(tmp_path), verbosity=0)
    assert "agents.count: must be between 1 and 200000, not -1" in str(caught.value)
    assert "demand.requests: is required" in str(caught.value)


def test_a_run_routes_with_its_policy_and_parameters() -> None:
    scenario = replace(
        load_scenario(TINY),
        policy="fair",
        policy_parameters={"band_miles": 50.0, "adaptive_window": True, "min_window_seconds": 300},
    )
    simulate(scenario)
    offers = list(Offer.objects.all())
    assert offers and {o.explanation["policy"] for o in offers} == {"fair"}
    # The adaptive window was on: each offer records the window it got.
    assert all(300 <= o.explanation["window_seconds"] <= 600 for o in offers)


def test_the_command_takes_policy_parameters(tmp_path: Path) -> None:
    call_command(
        "simulate", str(TINY), "--here", "--out", str(tmp_path), "--policy", "fair",
        "--param", "band_miles=15", "--param", "wrap_up_seconds=600",
        verbosity=0, stdout=StringIO(),
    )  # fmt: skip
    explanations = [o.explanation for o in Offer.objects.all()]
    assert explanations
    assert {e["policy"] for e in explanations} == {"fair"}
    # The band of 15 miles took in agents the default 5 would not have.
    widths = {e["policy_params"].get("band_miles") for e in explanations if e["policy_params"]}
    assert widths and min(widths) >= 15


@pytest.mark.parametrize(
    ("param", "problem"),
    [
        ("band_miles=abc", "policy.band_miles: 'abc' is not a value such as 15, 2.5 or true"),
        ("colour=1", "policy.colour: not a policy parameter"),
        ("band_miles", "--param 'band_miles': write it as NAME=VALUE"),
        ("wrap_up_seconds=1.5", "policy.wrap_up_seconds: must be a whole number, not 1.5"),
    ],
)
def test_a_wrong_policy_parameter_is_named(tmp_path: Path, param: str, problem: str) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("simulate", str(TINY), "--here", "--out", str(tmp_path), "--param", param)
    assert problem in str(caught.value)
    assert not Offer.objects.exists()
