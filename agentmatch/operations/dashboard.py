"""The dashboard's figures for a period: the daily roll-up for the whole UTC days it
holds, live counts for the rest (dashboard_rollup.py explains the roll-up).

What is counted: the requests (referrals) *created* in the period, and everything that
happened to them, whenever it happened (an offer made at 23:58 and answered after
midnight belongs to its request's day). So every figure of a row has the same
denominator, and a day's service level does not change with the day it is read.

- time to accept: the accepted offer's answer time minus the request time; median and
  90th percentile, interpolated like percentile_cont over whole seconds (exact to the
  second: a duration counts as its whole seconds);
- service level: share of all the period's requests accepted within 15 / 30 minutes;
- unmatched rate: share of the requests that ended unmatched;
- offers per referral: offers made / requests; rejects and lapses (offers that expired
  unanswered) are counts of offers;
- agents: response rate = answered (accepted or rejected) / offers that asked for an
  answer (accepted, rejected or expired: an offer still pending or withdrawn because the
  consumer canceled is not the agent's to answer); response time = answer minus offer.

Each figure is counted per state and language (by dashboard_rollup.tally(), for the
live part and the roll-up alike); the state rows, the language rows and the total are
sums of those cells: counts add up, and so do the histograms the percentiles come from.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from agentmatch.agents.models import Agent
from agentmatch.core.states import STATE_NAMES
from agentmatch.operations.dashboard_rollup import (
    ACCEPT_BANDS,
    AgentCell,
    Cell,
    Span,
    midnight,
    plan_year_agents,
    plan_year_answer_times,
    plan_year_summary,
    rolled_agents,
    rolled_answer_times,
    rolled_cells,
    rolled_hours,
    rolled_until,
    tally,
    utc_day,
)
from agentmatch.operations.labels import language_label

Bucket = Literal["hour", "day", "week"]
FRACTIONS = (0.5, 0.9)
SERVICE_LEVELS = (15, 30)  # minutes
# The time-to-accept chart's bars (ACCEPT_BANDS): accepted within (lower, upper] minutes.
TOP_AGENTS = 10
COUNTS = ("requests", "unmatched", "offers", "accepted", "rejects", "lapses", "asked", "answered")


@dataclass(frozen=True)
class Period:
    """[start, end) in the operator's time zone; `plan_year` also narrows to that year."""

    start: datetime
    end: datetime
    plan_year: int | None = None

    @property
    def bucket(self) -> Bucket:
        """Hours for a day or two, days up to a quarter, weeks beyond (a plan year)."""
        span = self.end - self.start
        if span <= timedelta(days=2):
            return "hour"
        if span <= timedelta(days=92):
            return "day"
        return "week"


@dataclass
class Row:
    """One line of figures: the whole period, one state, or one language."""

    key: str
    label: str
    requests: int = 0
    unmatched: int = 0
    offers: int = 0
    accepted: int = 0
    rejects: int = 0
    lapses: int = 0
    # Offers that asked the agent for an answer, and those answered (see the docstring).
    asked: int = 0
    answered: int = 0
    within: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SERVICE_LEVELS, 0))
    # Accepted requests per ACCEPT_BANDS band.
    bands: list[int] = field(default_factory=lambda: [0] * len(ACCEPT_BANDS))
    median: timedelta | None = None
    p90: timedelta | None = None

    def add(self, other: "Row") -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for minutes in SERVICE_LEVELS:
            self.within[minutes] += other.within[minutes]
        self.bands = [mine + theirs for mine, theirs in zip(self.bands, other.bands, strict=True)]

    def _share(self, part: int) -> float | None:
        return 100 * part / self.requests if self.requests else None

    @property
    def within_15(self) -> float | None:
        return self._share(self.within[15])

    @property
    def within_30(self) -> float | None:
        return self._share(self.within[30])

    @property
    def unmatched_rate(self) -> float | None:
        return self._share(self.unmatched)

    @property
    def offers_per_referral(self) -> float | None:
        return self.offers / self.requests if self.requests else None


@dataclass(frozen=True)
class CountAt:
    start: datetime
    count: int


@dataclass(frozen=True)
class Band:
    lower: int
    upper: int | None
    count: int


@dataclass(frozen=True)
class AgentRow:
    npn: str
    name: str
    asked: int
    answered: int
    median: timedelta | None

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.asked if self.asked else None


@dataclass
class Dashboard:
    period: Period
    total: Row
    by_state: list[Row]
    by_language: list[Row]
    requests: list[CountAt]
    accept_bands: list[Band]
    asked: int
    answered: int
    response: dict[float, timedelta | None]
    agents: list[AgentRow]

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.asked if self.asked else None

    @property
    def response_median(self) -> timedelta | None:
        return self.response.get(0.5)

    @property
    def response_p90(self) -> timedelta | None:
        return self.response.get(0.9)


def _split(
    start: datetime, end: datetime, until: date | None
) -> tuple[tuple[date, date] | None, list[Span]]:
    """The UTC days of [start, end) that are rolled up ([first, last)), and the spans to
    count live: the edges outside whole UTC days, and the days after the roll-up's end."""
    if until is None:
        return None, [(start, end)]
    first = utc_day(start - timedelta(microseconds=1)) + timedelta(days=1)
    last = min(utc_day(end), until)
    if first >= last:
        return None, [(start, end)]
    live = [(start, midnight(first)), (midnight(last), end)]
    return (first, last), [(a, b) for a, b in live if a < b]


def percentile(histogram: Counter[int], fraction: float) -> timedelta | None:
    """percentile_cont over whole seconds: linear between the ranks floor and ceil of
    fraction·(n-1)."""
    count = sum(histogram.values())
    if not count:
        return None
    position = fraction * (count - 1)
    low, high = math.floor(position), math.ceil(position)
    values: dict[int, int] = {}
    seen = 0
    for seconds in sorted(histogram):
        following = seen + histogram[seconds]
        for rank in (low, high):
            if seen <= rank < following:
                values[rank] = seconds
        if high in values:
            break
        seen = following
    return timedelta(seconds=values[low] + (values[high] - values[low]) * (position - low))


def _row(cell: Cell, *, key: str = "", label: str = "") -> Row:
    return Row(
        key=key,
        label=label,
        **{name: getattr(cell, name) for name in COUNTS},
        within={15: cell.within_15, 30: cell.within_30},
        bands=list(cell.bands),
        median=percentile(cell.accept, 0.5),
        p90=percentile(cell.accept, 0.9),
    )


def _rows(cells: dict[tuple[str, str], Cell], *, index: int, label: Any) -> list[Row]:
    grouped: dict[str, Cell] = {}
    for key, cell in cells.items():
        grouped.setdefault(key[index], Cell()).add(cell)
    rows = [_row(cell, key=code, label=label(code)) for code, cell in grouped.items()]
    return sorted(rows, key=lambda r: (-r.requests, r.label))


def requests_over_time(period: Period, hours: Counter[datetime]) -> list[CountAt]:
    """Requests per hour, day or week of the period, zeros included, from the requests
    per UTC hour (an hour lies in one local day: US zones are whole hours from UTC)."""
    kind = period.bucket
    zone = period.start.tzinfo
    counted: Counter[datetime] = Counter()
    for hour, count in hours.items():
        local = hour.astimezone(zone)
        if kind == "hour":
            counted[local] += count
            continue
        day = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        if kind == "week":
            day -= timedelta(days=day.weekday())  # weeks start on Monday
        counted[day.replace(tzinfo=zone)] += count
    step = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
    at = period.start
    if kind == "week":
        at -= timedelta(days=at.weekday())
    out = []
    while at < period.end:
        out.append(CountAt(start=at, count=counted.get(at, 0)))
        # Stepping in local time: a day or week keeps its midnight across a DST change.
        at = (at.replace(tzinfo=None) + step[kind]).replace(tzinfo=at.tzinfo)
    return out


def _agents(
    parts: "_Parts", plan_year: int | None, live: dict[tuple[date, int, int], AgentCell]
) -> list[AgentRow]:
    """The agents offered the most of the period's requests, with how they answered.

    Ranked by their id from the sums (names are read for the few shown)."""
    counts: dict[int, list[int]] = {}

    def count(sums: dict[int, tuple[int, int]]) -> None:
        for agent_id, (asked, answered) in sums.items():
            mine = counts.setdefault(agent_id, [0, 0])
            mine[0] += asked
            mine[1] += answered

    if parts.year is not None:
        count(plan_year_agents(parts.year))
    for days in parts.days:
        count(rolled_agents(*days, plan_year))
    answers: dict[int, Counter[int]] = {}
    for (_day, _year, agent_id), cell in live.items():
        count({agent_id: (cell.asked, cell.answered)})
        answers.setdefault(agent_id, Counter()).update(cell.answer)
    top = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))[:TOP_AGENTS]
    ids = [agent_id for agent_id, _counts in top]
    stored = [plan_year_answer_times(parts.year, ids)] if parts.year is not None else []
    stored += [rolled_answer_times(*days, plan_year, ids) for days in parts.days]
    for histograms in stored:
        for agent_id, histogram in histograms.items():
            answers.setdefault(agent_id, Counter()).update(histogram)
    names = {
        pk: (npn, f"{first} {last}")
        for pk, npn, first, last in Agent.objects.filter(pk__in=ids).values_list(
            "pk", "npn", "first_name", "last_name"
        )
    }
    return [
        AgentRow(
            npn=names[agent_id][0],
            name=names[agent_id][1],
            asked=asked,
            answered=answered,
            median=percentile(answers.get(agent_id, Counter()), 0.5),
        )
        for agent_id, (asked, answered) in top
    ]


@dataclass
class _Parts:
    """Where each part of a period is counted from: the plan year's summary (`year`), the
    daily roll-up (`days`, [first, last) each), and live (`live` spans)."""

    year: int | None = None
    days: list[tuple[date, date]] = field(default_factory=list)
    live: list[Span] = field(default_factory=list)


def dashboard(period: Period, *, rolled_up: bool = True) -> Dashboard:
    """Every figure of the dashboard for the period: the plan year's summary and the daily
    roll-up for the whole UTC days they hold, live counts for the rest (`rolled_up=False`:
    all live)."""
    parts = _Parts()
    cells: dict[tuple[str, str], Cell] = {}
    hours: Counter[datetime] = Counter()
    segments = [(period.start, period.end)]
    summary = plan_year_summary(period.plan_year) if rolled_up and period.plan_year else None
    if summary is not None:
        first, summed_until, summed, summed_hours = summary
        if period.start <= midnight(first) and midnight(summed_until) <= period.end:
            parts.year = period.plan_year
            segments = [(period.start, midnight(first)), (midnight(summed_until), period.end)]
            for key, cell in summed.items():
                cells.setdefault(key, Cell()).add(cell)
            hours.update(summed_hours)
    until = rolled_until() if rolled_up else None
    for start, end in segments:
        if start < end:
            days, live = _split(start, end, until)
            parts.days += [days] if days else []
            parts.live += live
    live_cells, live_agents = tally(parts.live, period.plan_year)
    for (day, _year, state, language), cell in live_cells.items():
        cells.setdefault((state, language), Cell()).add(cell)
        for hour, count in enumerate(cell.hours):
            if count:
                hours[midnight(day) + timedelta(hours=hour)] += count
    for days in parts.days:
        for key, cell in rolled_cells(*days, period.plan_year).items():
            cells.setdefault(key, Cell()).add(cell)
        hours.update(rolled_hours(*days, period.plan_year))
    everything = Cell()
    for cell in cells.values():
        everything.add(cell)
    # The ("", "") cell holds only the summary's answer times: no state, no language row.
    cells.pop(("", ""), None)
    total = _row(everything)
    return Dashboard(
        period=period,
        total=total,
        by_state=_rows(cells, index=0, label=_state_label),
        by_language=_rows(cells, index=1, label=language_label),
        requests=requests_over_time(period, hours),
        accept_bands=[
            Band(lower, upper, count)
            for (lower, upper), count in zip(ACCEPT_BANDS, total.bands, strict=True)
        ],
        asked=total.asked,
        answered=total.answered,
        response={f: percentile(everything.answer, f) for f in FRACTIONS},
        agents=_agents(parts, period.plan_year, live_agents),
    )


def _state_label(code: str) -> str:
    return STATE_NAMES.get(code, code)
