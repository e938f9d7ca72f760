"""The report's figures on a tiny outcome worked out by hand."""

import json
from dataclasses import replace

import pytest

from agentmatch.lab.outcome import OfferRecord, Outcome, ReferralRecord
from agentmatch.lab.report import figures, gini, percentile, to_json, to_markdown

H = 3600.0


def offer(agent: str, at: float, miles: float, status: str) -> OfferRecord:
    return OfferRecord(agent=agent, offered_at=at, distance_miles=miles, status=status)


# Four requests, three agents (C never offered anything):
# 0: made 0:10, A lets it lapse, B accepts 20 minutes after the request, 8 miles away.
# 1: made 0:30, A accepts 5 minutes later, 2 miles away.
# 2: made 0:50, B rejects, nobody else: unmatched at 2:50.
# 3: made 1:30, A accepts 60 minutes later, 20 miles away.
OUTCOME = Outcome(
    scenario="hand",
    seed=1,
    policy="nearest",
    agents=("A", "B", "C"),
    referrals=(
        ReferralRecord(0, "WI", "en", 600, "accepted", 1800, 1800, 8.0,
                       (offer("A", 600, 3.0, "expired"), offer("B", 1500, 8.0, "accepted"))),
        ReferralRecord(1, "WI", "en", 1800, "accepted", 2100, 2100, 2.0,
                       (offer("A", 1800, 2.0, "accepted"),)),
        ReferralRecord(2, "WI", "es", 3000, "unmatched", None, 3000 + 2 * H, None,
                       (offer("B", 3000, 5.0, "rejected"),)),
        ReferralRecord(3, "WI", "en", 5400, "accepted", 9000, 9000, 20.0,
                       (offer("A", 5400, 20.0, "accepted"),)),
    ),
    refused=1,
    late_answers=0,
)  # fmt: skip


def test_the_figures_of_a_hand_made_day() -> None:
    f = figures(OUTCOME)
    assert (f.requests, f.refused, f.accepted) == (4, 1, 3)
    # Waits 20, 5 and 60 minutes.
    assert f.median_minutes_to_acceptance == 20
    assert f.p90_minutes_to_acceptance == 60
    assert f.share_never_accepted == 0.25
    # Distances 8, 2 and 20: mean 10.
    assert f.mean_distance_miles == 10
    assert f.p90_distance_miles == 20
    assert f.offers_per_referral == 1.25  # 5 offers over 4 requests
    # Offers A 3, B 2, C 0; acceptances A 2, B 1, C 0.
    assert (f.mean_offers_per_agent, f.max_offers_per_agent) == (1.67, 3)
    assert f.gini_offers_per_agent == pytest.approx(0.4, abs=1e-4)
    assert (f.mean_acceptances_per_agent, f.max_acceptances_per_agent) == (1, 2)
    assert f.gini_acceptances_per_agent == pytest.approx(0.4444, abs=1e-4)
    # End of hour 0 (1:00): requests 0 and 1 accepted, 2 open. End of hour 1 (2:00): 2 and 3
    # open. End of hour 2 (3:00): 3 accepted at 2:30, 2 ended at 2:50: nothing open.
    assert f.backlog_by_hour[:4] == (1, 2, 0, 0)
    assert f.open_at_end == 0


def test_gini_is_zero_when_equal_and_grows_with_concentration() -> None:
    assert gini([2, 2, 2]) == 0
    assert gini([0, 0, 0]) == 0
    assert gini([0, 0, 6]) == pytest.approx(2 / 3)
    assert gini([]) == 0


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([5], 90) == 5
    assert percentile([], 90) is None


def test_an_empty_day_reports_no_figures_rather_than_failing() -> None:
    f = figures(Outcome("empty", 1, "nearest", ("A",), (), refused=0, late_answers=0))
    assert f.median_minutes_to_acceptance is None
    assert f.share_never_accepted is None
    assert "n/a" in to_markdown(f)


def test_the_markdown_and_json_carry_the_same_figures() -> None:
    f = figures(OUTCOME)
    assert json.loads(to_json(f))["median_minutes_to_acceptance"] == 20
    text = to_markdown(f)
    assert "| Median time to acceptance | 20 min |" in text
    assert "| Share never accepted | 25.0% |" in text
    assert "| 01:00 to 02:00 | 2 |" in text


def test_the_gini_per_available_agent_counts_only_those_who_could_be_offered() -> None:
    # C was never available: offers A 3, B 2 over A and B only.
    f = figures(replace(OUTCOME, available_agents=("A", "B")))
    assert f.available_agents == 2
    assert f.gini_offers_per_available_agent == pytest.approx(0.1, abs=1e-4)
    assert f.gini_offers_per_agent == pytest.approx(0.4, abs=1e-4)  # unchanged: every agent
    text = to_markdown(f)
    assert "| Gini coefficient of offers per agent (every agent) | 0.4 |" in text
    assert (
        "| Gini coefficient of offers per available agent (the 2 agents who could be offered "
        "at some moment of the day; issue 14's target: 0.3 or less) | 0.1 |"
    ) in text


def test_without_availability_recorded_every_agent_counts_as_available() -> None:
    f = figures(OUTCOME)
    assert f.available_agents == 0
    assert f.gini_offers_per_available_agent == f.gini_offers_per_agent
    assert "(availability not recorded: every agent; issue 14's target" in to_markdown(f)


def test_the_markdown_links_the_charts_beside_it() -> None:
    text = to_markdown(figures(OUTCOME), [("Backlog by hour", "backlog-by-hour.svg")])
    assert "## Charts\n\n![Backlog by hour](backlog-by-hour.svg)\n" in text
    assert "## Charts" not in to_markdown(figures(OUTCOME))
