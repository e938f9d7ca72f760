"""The dashboard's roll-up: a plan year of figures read from a few hundred rows.

Why a roll-up. The dashboard counts the requests made in a period and everything that
happened to them; for a plan year that is 500,000 requests and 880,000 offers, and the
medians must sort 390,000 durations per grouping (14.5 s on PostgreSQL, see
docs/benchmarks.md). Indexes do not change that: every row still has to be read. So the
worker sums each finished day once, and the dashboard reads the sums.

Why two levels. A daily roll-up alone is not enough for a year: the histograms of a day's
state and language hold a few durations each, so a year of daily rows is still about as
many histogram entries as accepted requests (measured: 10 s for the plan year on 500,000
requests, all of it merging in Python). So each rolled-up day is also added to its plan
year's summary (PlanYearSummary, PlanYearCell per state and language, PlanYearAgent),
where a year's histograms have at most a few thousand seconds each.

What is stored. Per UTC day of the request (its `created_at`), plan year, state and
language (DashboardDay): the counts of dashboard.Row, the accepted requests per band of
minutes, the requests per UTC hour (for the chart), and two histograms in *whole seconds*
(seconds -> count): request to accepted answer, and offer to answer. Per UTC day, plan
year and agent (AgentDay): offers that asked for an answer, answers, and the histogram of
answer times. Percentiles are computed from the histograms exactly as percentile_cont
does (linear between the two nearest ranks), so they are exact to the second: a duration
counts as its whole seconds (4 min 30.9 s counts as 270 s). The live part of a period is
counted by the same code (tally() below), so a figure does not depend on which part of
the period was rolled up.

Why UTC days line up with the operators' days. A period runs from a local midnight to a
local midnight; every zone an operator may choose (agentmatch/core/time_zones.py, all in
the US) is a whole number of hours from UTC, so a period is whole UTC hours. The
plan-year view reads the summary, which covers the UTC days from November 2nd before the
plan year to the roll-up's end or December 30th (inside the period in every one of those
zones, Guam to Samoa); any period reads the daily rows for its other whole UTC days, and
counts the rest (at most a day at each end, plus the days not rolled up yet) live from
the requests and offers (dashboard.py). The summary of a plan year grows by the days
each run adds; if it does not end where a run begins (its first run, or after the
roll-up was redone by hand), it is summed again from the daily rows.

When a day is rolled up. A request's figures change until it has ended and its last
offer has been answered, expired or withdrawn; after that nothing changes them
(anonymising a request blanks its contact details, not its state, language or times). So
a day is rolled up only when it is over by LATE (a request created a moment before
midnight may commit a moment after) and no request created on it or after it is still
open or has a pending offer: `rolled_until` never passes the day of the oldest open
request. A request that ends late (say a waiting request whose worker was down) therefore
holds the roll-up back at its day, and the dashboard counts those days live, correct
but slower, until it ends. Days are never re-rolled: nothing can change them.

Safe with many workers: the job locks the one DashboardRollup row (SELECT ... FOR UPDATE
on PostgreSQL; SQLite has one writer at a time) for its whole transaction, rewrites the
days it covers (delete, then insert: running it twice gives the same rows) and moves
`rolled_until` forward in the same transaction, with the plan years' summaries. A second
worker waits on the lock, then reads the new `rolled_until` and goes on from there (or
finds nothing to do). The first runs after a deploy backfill the history, MAX_DAYS per
run; until they have caught up, the long periods are counted live (correct, slow).
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Min, Sum

from agentmatch.operations.models import (
    AgentDay,
    DashboardDay,
    DashboardRollup,
    PlanYearAgent,
    PlanYearCell,
    PlanYearSummary,
)
from agentmatch.referrals.models import (
    OPEN_STATUSES,
    Offer,
    OfferStatus,
    Referral,
    ReferralStatus,
)

LATE = timedelta(hours=1)
# A run holds the worker (and its lock) while it counts: a week of requests is a few
# seconds on a busy season; a year's backfill after a deploy takes 53 sweeps.
MAX_DAYS = 7
SECOND = timedelta(seconds=1)
# Accepted more than `lower` and at most `upper` minutes after the request.
ACCEPT_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 5),
    (5, 10),
    (10, 15),
    (15, 30),
    (30, 60),
    (60, None),
)
ANSWERED = (OfferStatus.ACCEPTED, OfferStatus.REJECTED)
ASKED = (OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.EXPIRED)
COUNTS = (
    "requests",
    "unmatched",
    "offers",
    "accepted",
    "rejects",
    "lapses",
    "asked",
    "answered",
    "within_15",
    "within_30",
)

CellKey = tuple[date, int, str, str]  # UTC day, plan year, state, language
AgentKey = tuple[date, int, int]  # UTC day, plan year, agent id
Span = tuple[datetime, datetime]  # [start, end)


@dataclass
class Cell:
    requests: int = 0
    unmatched: int = 0
    offers: int = 0
    accepted: int = 0
    rejects: int = 0
    lapses: int = 0
    asked: int = 0
    answered: int = 0
    within_15: int = 0
    within_30: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * len(ACCEPT_BANDS))
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    accept: Counter[int] = field(default_factory=Counter)
    answer: Counter[int] = field(default_factory=Counter)

    def add(self, other: "Cell") -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.bands = [a + b for a, b in zip(self.bands, other.bands, strict=True)]
        self.hours = [a + b for a, b in zip(self.hours, other.hours, strict=True)]
        self.accept.update(other.accept)
        self.answer.update(other.answer)


@dataclass
class AgentCell:
    asked: int = 0
    answered: int = 0
    answer: Counter[int] = field(default_factory=Counter)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def _band(waited: timedelta) -> int:
    # The bands follow each other: the first whose upper bound is not passed.
    for index, (_lower, upper) in enumerate(ACCEPT_BANDS):
        if upper is None or waited <= timedelta(minutes=upper):
            return index
    return len(ACCEPT_BANDS) - 1


def tally(
    spans: list[Span], plan_year: int | None
) -> tuple[dict[CellKey, Cell], dict[AgentKey, AgentCell]]:
    """The figures of the requests made in `spans` (and in `plan_year`, when given), per
    cell and per agent: the one place that counts, for the live part and the roll-up."""
    cells: dict[CellKey, Cell] = {}
    agents: dict[AgentKey, AgentCell] = {}
    for start, end in spans:  # one span at a time: an OR of spans defeats the indexes
        _count_span(start, end, plan_year, cells, agents)
    return cells, agents


def _count_span(
    start: datetime,
    end: datetime,
    plan_year: int | None,
    cells: dict[CellKey, Cell],
    agents: dict[AgentKey, AgentCell],
) -> None:
    requests = Referral.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if plan_year is not None:
        requests = requests.filter(plan_year=plan_year)
    for created, year, state, language, status in requests.values_list(
        "created_at", "plan_year", "state", "language", "status"
    ).iterator(chunk_size=5000):
        created = created.astimezone(UTC)
        cell = cells.setdefault((created.date(), year, state, language), Cell())
        cell.requests += 1
        cell.unmatched += status == ReferralStatus.UNMATCHED
        cell.hours[created.hour] += 1
    # An offer never precedes its request: `offered_at >= start` lets the database read
    # only the offers made since the span began (offers_by_offered_at).
    offers = Offer.objects.filter(
        offered_at__gte=start, referral__created_at__gte=start, referral__created_at__lt=end
    ).order_by()
    if plan_year is not None:
        offers = offers.filter(referral__plan_year=plan_year)
    for created, year, state, language, agent_id, status, offered, responded in offers.values_list(
        "referral__created_at",
        "referral__plan_year",
        "referral__state",
        "referral__language",
        "agent_id",
        "status",
        "offered_at",
        "responded_at",
    ).iterator(chunk_size=5000):
        day = utc_day(created)
        cell = cells.setdefault((day, year, state, language), Cell())
        cell.offers += 1
        if status == OfferStatus.ACCEPTED:
            # Only a pending offer has no answer time (constraint settled_offer_has_time).
            assert responded is not None
            waited = responded - created
            cell.accepted += 1
            cell.within_15 += waited <= timedelta(minutes=15)
            cell.within_30 += waited <= timedelta(minutes=30)
            cell.bands[_band(waited)] += 1
            cell.accept[waited // SECOND] += 1
        cell.rejects += status == OfferStatus.REJECTED
        cell.lapses += status == OfferStatus.EXPIRED
        if status in ASKED:
            cell.asked += 1
            agent = agents.setdefault((day, year, agent_id), AgentCell())
            agent.asked += 1
            if status in ANSWERED:
                assert responded is not None
                seconds = (responded - offered) // SECOND
                cell.answered += 1
                cell.answer[seconds] += 1
                agent.answered += 1
                agent.answer[seconds] += 1


def _histogram(stored: Mapping[str, int]) -> Counter[int]:
    return Counter({int(seconds): count for seconds, count in stored.items()})


def _stored(histogram: Counter[int]) -> dict[str, int]:
    return {str(seconds): count for seconds, count in sorted(histogram.items())}


def rolled_until() -> date | None:
    """The first UTC day not rolled up (None: nothing is)."""
    return DashboardRollup.objects.filter(pk=1).values_list("rolled_until", flat=True).first()


def rolled_cells(first: date, last: date, plan_year: int | None) -> dict[tuple[str, str], Cell]:
    """The rolled-up figures of the days [first, last), per state and language (their
    requests per hour: rolled_hours())."""
    rows = DashboardDay.objects.filter(day__gte=first, day__lt=last)
    if plan_year is not None:
        rows = rows.filter(plan_year=plan_year)
    cells: dict[tuple[str, str], Cell] = {}
    for row in rows.order_by().values_list(
        "state", "language", *COUNTS, "bands", "accept_seconds", "answer_seconds"
    ):
        state, language, *counts = row[:12]
        bands, accept, answer = row[12:]
        stored = Cell(
            **dict(zip(COUNTS, counts, strict=True)),
            bands=list(bands),
            hours=[0] * 24,
            accept=_histogram(accept),
            answer=_histogram(answer),
        )
        cells.setdefault((state, language), Cell()).add(stored)
    return cells


def rolled_hours(first: date, last: date, plan_year: int | None) -> Counter[datetime]:
    """Requests per UTC hour of the rolled-up days [first, last)."""
    rows = DashboardDay.objects.filter(day__gte=first, day__lt=last)
    if plan_year is not None:
        rows = rows.filter(plan_year=plan_year)
    counted: Counter[datetime] = Counter()
    for day, hours in rows.order_by().values_list("day", "hours"):
        start = midnight(day)
        for hour, count in enumerate(hours):
            if count:
                counted[start + timedelta(hours=hour)] += count
    return counted


def rolled_agents(first: date, last: date, plan_year: int | None) -> dict[int, tuple[int, int]]:
    """Per agent: offers that asked for an answer, and answers, on the days [first, last)."""
    rows = AgentDay.objects.filter(day__gte=first, day__lt=last)
    if plan_year is not None:
        rows = rows.filter(plan_year=plan_year)
    return {
        agent_id: (asked, answered)
        for agent_id, asked, answered in rows.order_by()
        .values_list("agent_id")
        .annotate(Sum("asked"), Sum("answered"))
    }


def rolled_answer_times(
    first: date, last: date, plan_year: int | None, agent_ids: list[int]
) -> dict[int, Counter[int]]:
    rows = AgentDay.objects.filter(agent_id__in=agent_ids, day__gte=first, day__lt=last)
    if plan_year is not None:
        rows = rows.filter(plan_year=plan_year)
    answer: dict[int, Counter[int]] = {}
    for agent_id, stored in rows.order_by().values_list("agent_id", "answer_seconds"):
        answer.setdefault(agent_id, Counter()).update(_histogram(stored))
    return answer


def _first_open_day() -> date | None:
    """The UTC day of the oldest request whose figures can still change."""
    open_request = Referral.objects.filter(status__in=OPEN_STATUSES).aggregate(
        at=Min("created_at")
    )["at"]
    pending_offer = Offer.objects.filter(status=OfferStatus.PENDING).aggregate(
        at=Min("referral__created_at")
    )["at"]
    found = [at for at in (open_request, pending_offer) if at is not None]
    return utc_day(min(found)) if found else None


def plan_year_days(year: int) -> tuple[date, date]:
    """The UTC days [first, last) inside the plan-year period in every zone an operator
    may choose (November 1st before it to January 1st after it, local midnights: from
    14:00 UTC the day before in Guam to 11:00 UTC in American Samoa)."""
    return date(year - 1, 11, 2), date(year, 12, 31)


def _stored_days(
    year: int, first: date, last: date
) -> tuple[dict[CellKey, Cell], dict[AgentKey, AgentCell]]:
    """The daily roll-up of a plan year's days [first, last), as tally() answers it."""
    cells: dict[CellKey, Cell] = {}
    rows = DashboardDay.objects.filter(plan_year=year, day__gte=first, day__lt=last)
    for row in rows.order_by().values_list(
        "day", "state", "language", *COUNTS, "bands", "hours", "accept_seconds", "answer_seconds"
    ):
        day, state, language, *counts = row[:13]
        bands, hours, accept, answer = row[13:]
        cells[day, year, state, language] = Cell(
            **dict(zip(COUNTS, counts, strict=True)),
            bands=list(bands),
            hours=list(hours),
            accept=_histogram(accept),
            answer=_histogram(answer),
        )
    agents: dict[AgentKey, AgentCell] = {}
    for day, agent_id, asked, answered, answer in (
        AgentDay.objects.filter(plan_year=year, day__gte=first, day__lt=last)
        .order_by()
        .values_list("day", "agent_id", "asked", "answered", "answer_seconds")
    ):
        agents[day, year, agent_id] = AgentCell(asked, answered, _histogram(answer))
    return cells, agents


def _sum_plan_years(
    start: date, end: date, cells: dict[CellKey, Cell], agents: dict[AgentKey, AgentCell]
) -> None:
    """Adds the days [start, end) just rolled up to the plan years' summaries. A summary
    that does not end where these days begin (the first one, or after the roll-up was
    redone) is summed again from the daily rows, which always hold the truth."""
    for year in range(start.year, end.year + 2):
        first, last = plan_year_days(year)
        low, high = max(start, first), min(end, last)
        if low >= high:
            continue
        summary = PlanYearSummary.objects.filter(plan_year=year).first()
        if summary is None or summary.until != low:
            PlanYearCell.objects.filter(plan_year=year).delete()
            PlanYearAgent.objects.filter(plan_year=year).delete()
            summary = summary or PlanYearSummary(plan_year=year)
            summary.hours, summary.answer_seconds = [], {}
            adding, low = _stored_days(year, first, high), first
        else:
            adding = cells, agents
        _add_to_plan_year(summary, first, low, high, *adding)


def _add_to_plan_year(
    summary: PlanYearSummary,
    first: date,
    low: date,
    high: date,
    cells: dict[CellKey, Cell],
    agents: dict[AgentKey, AgentCell],
) -> None:
    year = summary.plan_year
    # The days' figures per state and language, and per agent, first: each stored row is
    # then read, added to and written once per run, and only if the run touched it.
    added: dict[tuple[str, str], Cell] = {}
    hours = list(summary.hours) + [0] * ((high - first).days * 24 - len(summary.hours))
    answer = _histogram(summary.answer_seconds)
    for (day, cell_year, state, language), cell in cells.items():
        if cell_year != year or not low <= day < high:
            continue
        added.setdefault((state, language), Cell()).add(cell)
        offset = (day - first).days * 24
        for hour, count in enumerate(cell.hours):
            hours[offset + hour] += count
        answer.update(cell.answer)
    added_agents: dict[int, AgentCell] = {}
    for (day, agent_year, agent_id), agent in agents.items():
        if agent_year != year or not low <= day < high:
            continue
        mine = added_agents.setdefault(agent_id, AgentCell())
        mine.asked += agent.asked
        mine.answered += agent.answered
        mine.answer.update(agent.answer)
    stored = {(c.state, c.language): c for c in PlanYearCell.objects.filter(plan_year=year)}
    for (state, language), cell in added.items():
        row = stored.get((state, language)) or PlanYearCell(
            plan_year=year, state=state, language=language, bands=[0] * len(ACCEPT_BANDS)
        )
        for name in COUNTS:
            setattr(row, name, getattr(row, name) + getattr(cell, name))
        row.bands = [a + b for a, b in zip(row.bands, cell.bands, strict=True)]
        row.accept_seconds = _stored(_histogram(row.accept_seconds) + cell.accept)
        stored[state, language] = row
    touched = [stored[key] for key in added]
    PlanYearCell.objects.bulk_create([r for r in touched if r.pk is None], batch_size=1000)
    PlanYearCell.objects.bulk_update(
        [r for r in touched if r.pk is not None],
        [*COUNTS, "bands", "accept_seconds"],
        batch_size=500,
    )
    existing = {
        a.agent_id: a
        for a in PlanYearAgent.objects.filter(plan_year=year, agent_id__in=list(added_agents))
    }
    rows: list[PlanYearAgent] = []
    for agent_id, agent in added_agents.items():
        row_agent = existing.get(agent_id) or PlanYearAgent(plan_year=year, agent_id=agent_id)
        row_agent.asked += agent.asked
        row_agent.answered += agent.answered
        row_agent.answer_seconds = _stored(_histogram(row_agent.answer_seconds) + agent.answer)
        rows.append(row_agent)
    PlanYearAgent.objects.bulk_create([r for r in rows if r.pk is None], batch_size=1000)
    PlanYearAgent.objects.bulk_update(
        [r for r in rows if r.pk is not None],
        ["asked", "answered", "answer_seconds"],
        batch_size=500,
    )
    summary.until, summary.hours, summary.answer_seconds = high, hours, _stored(answer)
    summary.save()


def plan_year_summary(
    year: int,
) -> tuple[date, date, dict[tuple[str, str], Cell], Counter[datetime]] | None:
    """The plan year's summary: its days [first, until), cells (the whole period's
    answer histogram is in the ("", "") cell) and requests per UTC hour; None if none."""
    summary = PlanYearSummary.objects.filter(plan_year=year).first()
    first, _last = plan_year_days(year)
    if summary is None or summary.until <= first:
        return None
    cells: dict[tuple[str, str], Cell] = {("", ""): Cell(answer=_histogram(summary.answer_seconds))}
    for row in PlanYearCell.objects.filter(plan_year=year).values_list(
        "state", "language", *COUNTS, "bands", "accept_seconds"
    ):
        state, language, *counts = row[:12]
        bands, accept = row[12:]
        cells[state, language] = Cell(
            **dict(zip(COUNTS, counts, strict=True)), bands=list(bands), accept=_histogram(accept)
        )
    start = midnight(first)
    hours = Counter(
        {start + timedelta(hours=hour): count for hour, count in enumerate(summary.hours) if count}
    )
    return first, summary.until, cells, hours


def plan_year_agents(year: int) -> dict[int, tuple[int, int]]:
    return {
        agent_id: (asked, answered)
        for agent_id, asked, answered in PlanYearAgent.objects.filter(plan_year=year).values_list(
            "agent_id", "asked", "answered"
        )
    }


def plan_year_answer_times(year: int, agent_ids: list[int]) -> dict[int, Counter[int]]:
    return {
        agent_id: _histogram(stored)
        for agent_id, stored in PlanYearAgent.objects.filter(
            plan_year=year, agent_id__in=agent_ids
        ).values_list("agent_id", "answer_seconds")
    }


def roll_up(now: datetime, *, max_days: int = MAX_DAYS) -> int:
    """Rolls up the next finished days (at most `max_days`); returns how many."""
    DashboardRollup.objects.get_or_create(pk=1)
    with transaction.atomic(durable=True):
        mark = DashboardRollup.objects.select_for_update().get(pk=1)
        start = mark.rolled_until
        if start is None:
            first = Referral.objects.aggregate(at=Min("created_at"))["at"]
            if first is None:
                return 0
            start = utc_day(first)
        end = min(utc_day(now - LATE), start + timedelta(days=max_days))
        open_day = _first_open_day()
        if open_day is not None:
            end = min(end, open_day)
        if end <= start:
            return 0
        cells, agents = tally([(midnight(start), midnight(end))], None)
        DashboardDay.objects.filter(day__gte=start, day__lt=end).delete()
        AgentDay.objects.filter(day__gte=start, day__lt=end).delete()
        DashboardDay.objects.bulk_create(
            [
                DashboardDay(
                    day=day,
                    plan_year=year,
                    state=state,
                    language=language,
                    **{name: getattr(cell, name) for name in COUNTS},
                    bands=cell.bands,
                    hours=cell.hours,
                    accept_seconds=_stored(cell.accept),
                    answer_seconds=_stored(cell.answer),
                )
                for (day, year, state, language), cell in cells.items()
            ],
            batch_size=1000,
        )
        AgentDay.objects.bulk_create(
            [
                AgentDay(
                    day=day,
                    plan_year=year,
                    agent_id=agent_id,
                    asked=agent.asked,
                    answered=agent.answered,
                    answer_seconds=_stored(agent.answer),
                )
                for (day, year, agent_id), agent in agents.items()
            ],
            batch_size=1000,
        )
        _sum_plan_years(start, end, cells, agents)
        mark.rolled_until = end
        mark.save(update_fields=["rolled_until"])
        return (end - start).days


def dashboard_rollup_job(now: datetime) -> int:
    """Sweep job (the worker's door): extends the roll-up."""
    return roll_up(now)
