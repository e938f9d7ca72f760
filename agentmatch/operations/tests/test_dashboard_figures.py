"""The dashboard's numbers, checked against a day of requests with known timings.

The data set is in dashboard_data.py. Run on SQLite and on PostgreSQL. Nothing is rolled
up here: these are the live counts; test_dashboard_rollup.py checks that the roll-up
gives the same figures.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.operations.dashboard import Period, dashboard
from agentmatch.operations.tests.dashboard_data import make_known_day

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


@pytest.fixture
def figures(plan_year):  # type: ignore[no-untyped-def]
    make_known_day(DAY)
    start = timezone.make_aware(datetime.combine(DAY, time.min))
    return dashboard(Period(start=start, end=start + timedelta(days=1)))


def test_the_totals_count_only_the_requests_made_in_the_period(figures) -> None:
    total = figures.total
    assert total.requests == 10  # not the one the evening before
    assert total.accepted == 6
    assert total.offers == 14
    assert total.offers_per_referral == pytest.approx(1.4)
    assert total.rejects == 4
    assert total.lapses == 3
    assert total.unmatched_rate == pytest.approx(20.0)


def test_time_to_accept_has_the_exact_median_and_90th_percentile(figures) -> None:
    # Accepted after 2, 10, 14, 20, 30 and 45 minutes.
    assert figures.total.median == minutes(17)
    assert figures.total.p90 == minutes(37.5)


def test_service_level_counts_accepted_within_15_and_30_minutes_inclusive(figures) -> None:
    assert figures.total.within_15 == pytest.approx(30.0)  # 2, 10, 14 of 10 requests
    assert figures.total.within_30 == pytest.approx(50.0)  # and 20, 30 (on the minute)


def test_the_figures_by_state(figures) -> None:
    texas, wisconsin = figures.by_state  # most requests first
    assert (texas.key, texas.requests, wisconsin.key, wisconsin.requests) == ("TX", 6, "WI", 4)
    assert texas.label == "Texas"
    assert (wisconsin.median, wisconsin.p90) == (minutes(12), minutes(18.2))
    assert (wisconsin.within_15, wisconsin.within_30) == (75.0, 100.0)
    assert (wisconsin.unmatched_rate, wisconsin.offers_per_referral) == (0.0, 1.5)
    assert (wisconsin.rejects, wisconsin.lapses) == (1, 1)
    assert (texas.median, texas.p90) == (minutes(37.5), minutes(43.5))
    assert texas.within_15 == 0.0
    assert texas.within_30 == pytest.approx(100 / 6)
    assert texas.unmatched_rate == pytest.approx(100 / 3)
    assert texas.offers_per_referral == pytest.approx(8 / 6)
    assert (texas.rejects, texas.lapses) == (3, 2)


def test_the_figures_by_language(figures) -> None:
    english, spanish = figures.by_language
    assert (english.key, english.requests, spanish.key, spanish.requests) == ("en", 6, "es", 4)
    assert (english.median, english.p90) == (minutes(12), minutes(18.2))
    assert english.within_15 == pytest.approx(50.0)
    assert english.offers == 7
    assert (spanish.median, spanish.p90) == (minutes(37.5), minutes(43.5))
    assert (spanish.within_30, spanish.unmatched_rate) == (25.0, 50.0)
    assert (spanish.offers, spanish.rejects, spanish.lapses) == (7, 3, 2)


def test_requests_per_hour_of_a_day_with_the_empty_hours(figures) -> None:
    counts = [bucket.count for bucket in figures.requests]
    assert len(counts) == 24
    assert counts[9] == 4 and counts[14] == 6 and sum(counts) == 10


def test_accepted_requests_by_band_of_minutes(figures) -> None:
    assert [band.count for band in figures.accept_bands] == [1, 1, 1, 2, 1, 0]


def test_agents_response_rate_and_time(figures) -> None:
    # 13 offers asked for an answer (the one withdrawn on cancel did not); 10 answered,
    # after 1, 1, 2, 2, 3, 9, 9, 20, 26 and 45 minutes.
    assert (figures.asked, figures.answered) == (13, 10)
    assert figures.response_rate == pytest.approx(100 * 10 / 13)
    assert figures.response_median == minutes(6)
    assert figures.response_p90 == minutes(27.9)
    rows = [(a.name, a.asked, a.answered, a.median) for a in figures.agents]
    assert rows == [
        ("Agent Alpha", 5, 5, minutes(3)),
        ("Agent Bravo", 4, 2, minutes(1)),
        ("Agent Charlie", 4, 3, minutes(26)),
    ]


def test_an_empty_period_has_no_rates_rather_than_zeros(plan_year) -> None:
    start = timezone.make_aware(datetime.combine(DAY, time.min))
    empty = dashboard(Period(start=start, end=start + timedelta(days=7)))
    assert empty.total.requests == 0
    assert empty.total.median is None and empty.total.within_15 is None
    assert empty.response_rate is None and empty.response_median is None
    assert len(empty.requests) == 7 and not empty.by_state and not empty.agents


def test_the_page_shows_the_same_numbers(figures, operator) -> None:
    client = Client()
    client.force_login(operator)
    response = client.get("/ops/dashboard/", {"period": "custom", "start": DAY, "end": DAY})
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (
        '<p class="ops-figure" id="figure-requests">10</p>',
        '<p class="ops-figure" id="figure-median">17.0 min</p>',
        '<span id="figure-p90">37.5 min</span>',
        '<p class="ops-figure" id="figure-within-15">30.0%</p>',
        '<span id="figure-within-30">50.0%</span>',
        '<p class="ops-figure" id="figure-unmatched">20.0%</p>',
        '<p class="ops-figure" id="figure-offers">1.40</p>',
        '<span id="figure-rejects">4</span>',
        '<span id="figure-lapses">3</span>',
        '<p class="ops-figure" id="figure-response-rate">76.9%</p>',
        '<p class="ops-figure" id="figure-response-time">6.0 min</p>',
    ):
        assert shown in page
    assert 'role="img"' in page and '<title id="requests-chart-title">' in page


def test_the_spanish_page_writes_numbers_the_spanish_way(figures, operator) -> None:
    client = Client()
    client.force_login(operator)
    response = client.get(
        "/ops/dashboard/",
        {"period": "custom", "start": DAY, "end": DAY},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    page = response.content.decode()
    assert '<span id="figure-p90">37,5 min</span>' in page
    assert '<p class="ops-figure" id="figure-within-15">30,0 %</p>' in page
    assert '<p class="ops-figure" id="figure-offers">1,40</p>' in page
    assert "Solicitudes por hora" in page
