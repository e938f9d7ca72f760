"""The reference day's agents and requests, as data (no database)."""

from pathlib import Path

from agentmatch.lab.population import sim_agents, sim_requests
from agentmatch.lab.scenario import load_scenario

PEAK = Path(__file__).resolve().parents[1] / "scenarios" / "open-enrollment-peak.toml"


def test_the_reference_agents_have_unique_npns_and_usernames() -> None:
    agents, temperaments = sim_agents(load_scenario(PEAK))
    assert len(agents) == 10_000
    # The email is the account's username: two namesakes must not share one.
    assert len({a.email for a in agents}) == len({a.npn for a in agents}) == 10_000
    assert set(temperaments.values()) == {"fast", "absent", "ordinary"}


def test_the_reference_requests_fill_the_day_in_time_order_with_distinct_phones() -> None:
    scenario = load_scenario(PEAK)
    requests = sim_requests(scenario)
    assert len(requests) == 20_000
    assert [r.at for r in requests] == sorted(r.at for r in requests)
    assert len({r.phone for r in requests}) == 20_000
