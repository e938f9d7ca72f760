"""The dashboard's figures for a period, computed by SQL aggregates.

What is counted: the requests (referrals) *created* in the period, and everything that
happened to them, whenever it happened (an offer made at 23:58 and answered after
midnight belongs to its request's day). So every figure of a row has the same
denominator, and a day's service level does not change with the day it is read.

- time to accept: the accepted offer's answer time minus the request time; median and
  90th percentile (percentile_cont, see agentmatch/core/sqlstats.py);
- service level: share of all the period's requests accepted within 15 / 30 minutes;
- unmatched rate: share of the requests that ended unmatched;
- offers per referral: offers made / requests; rejects and lapses (offers that expired
  unanswered) are counts of offers;
- agents: response rate = answered (accepted or rejected) / offers that asked for an
  answer (accepted, rejected or expired: an offer still pending or withdrawn because the
  consumer canceled is not the agent's to answer); response time = answer minus offer.

Each figure is computed per state and language in one grouped query; the state rows,
the language rows and the total are sums of those cells (counts add up), except the
percentiles, which are grouped queries of their own.
"""

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Trunc

from agentmatch.agents.models import Agent
from agentmatch.core.sqlstats import percentiles
from agentmatch.core.states import STATE_NAMES
from agentmatch.operations.labels import language_label
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus

Bucket = Literal["hour", "day", "week"]
FRACTIONS = (0.5, 0.9)
SERVICE_LEVELS = (15, 30)  # minutes
# The time-to-accept chart's bars: accepted within (lower, upper] minutes.
ACCEPT_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 5),
    (5, 10),
    (10, 15),
    (15, 30),
    (30, 60),
    (60, None),
)
TOP_AGENTS = 10
ANSWERED = (OfferStatus.ACCEPTED, OfferStatus.REJECTED)
ASKED = (OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.EXPIRED)
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


def referrals_in(period: Period) -> QuerySet[Referral]:
    found = Referral.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    if period.plan_year is not None:
        found = found.filter(plan_year=period.plan_year)
    return found


def offers_in(period: Period) -> QuerySet[Offer]:
    # An offer always follows its request, so `offered_at >= start` changes nothing in the
    # answer; it lets the database read only the offers made since the period began
    # (offers_by_offered_at) instead of every offer of the year.
    found = Offer.objects.filter(
        offered_at__gte=period.start,
        referral__created_at__gte=period.start,
        referral__created_at__lt=period.end,
    )
    if period.plan_year is not None:
        found = found.filter(referral__plan_year=period.plan_year)
    return found


def _time_to_accept() -> ExpressionWrapper:
    return ExpressionWrapper(F("responded_at") - F("referral__created_at"), DurationField())


def _time_to_answer() -> ExpressionWrapper:
    return ExpressionWrapper(F("responded_at") - F("offered_at"), DurationField())


def _accepted_within(minutes: int | None) -> Q:
    if minutes is None:
        return Q()
    limit = F("referral__created_at") + timedelta(minutes=minutes)
    return Q(responded_at__lte=limit)


def _cells(period: Period) -> dict[tuple[str, str], Row]:
    """Counts per (state, language): two grouped queries, referrals and their offers."""
    cells: dict[tuple[str, str], Row] = {}
    for row in (
        referrals_in(period)
        .order_by()
        .values("state", "language")
        .annotate(
            requests=Count("pk"), unmatched=Count("pk", filter=Q(status=ReferralStatus.UNMATCHED))
        )
    ):
        cells[row["state"], row["language"]] = Row(
            key="", label="", requests=row["requests"], unmatched=row["unmatched"]
        )
    accepted = Q(status=OfferStatus.ACCEPTED)
    bands = {f"band_{i}": Count("pk", filter=accepted & _band(i)) for i in range(len(ACCEPT_BANDS))}
    for state, language, *counts in (
        offers_in(period)
        .order_by()
        .values_list("referral__state", "referral__language")
        .annotate(
            offers=Count("pk"),
            accepted=Count("pk", filter=accepted),
            rejects=Count("pk", filter=Q(status=OfferStatus.REJECTED)),
            lapses=Count("pk", filter=Q(status=OfferStatus.EXPIRED)),
            asked=Count("pk", filter=Q(status__in=ASKED)),
            answered=Count("pk", filter=Q(status__in=ANSWERED)),
            within_15=Count("pk", filter=accepted & _accepted_within(15)),
            within_30=Count("pk", filter=accepted & _accepted_within(30)),
            **bands,
        )
    ):
        cell = cells.setdefault((state, language), Row(key="", label=""))
        (cell.offers, cell.accepted, cell.rejects, cell.lapses, cell.asked, cell.answered) = counts[
            :6
        ]
        cell.within = {15: counts[6], 30: counts[7]}
        cell.bands = list(counts[8:])
    return cells


def _rows(
    cells: dict[tuple[str, str], Row],
    *,
    index: int,
    label: Any,
    times: dict[Hashable, dict[float, timedelta | None]],
) -> list[Row]:
    rows: dict[str, Row] = {}
    for key, cell in cells.items():
        code = key[index]
        rows.setdefault(code, Row(key=code, label=label(code))).add(cell)
    for code, row in rows.items():
        row.median, row.p90 = (times.get(code) or {}).get(0.5), (times.get(code) or {}).get(0.9)
    return sorted(rows.values(), key=lambda r: (-r.requests, r.label))


def requests_over_time(period: Period) -> list[CountAt]:
    """Requests per hour, day or week of the period, zeros included."""
    kind = period.bucket
    counted = dict(
        referrals_in(period)
        .annotate(at=Trunc("created_at", kind, tzinfo=period.start.tzinfo))
        .order_by()
        .values_list("at")
        .annotate(Count("pk"))
    )
    step = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
    at = period.start
    if kind == "week":
        at -= timedelta(days=at.weekday())  # weeks start on Monday, as Trunc's do
    out = []
    while at < period.end:
        out.append(CountAt(start=at, count=counted.get(at, 0)))
        # Stepping in local time: a day or week keeps its midnight across a DST change.
        at = (at.replace(tzinfo=None) + step[kind]).replace(tzinfo=at.tzinfo)
    return out


def _band(index: int) -> Q:
    """Accepted more than `lower` and at most `upper` minutes after the request."""
    lower, upper = ACCEPT_BANDS[index]
    within = _accepted_within(upper)
    return ~_accepted_within(lower) & within if lower else within


def _agents(period: Period) -> list[AgentRow]:
    """The agents offered the most of the period's requests, with how they answered.

    Grouped by the agent's id alone (names are read for the few shown), so a year of
    offers is counted without joining every one of them to its agent."""
    asked = offers_in(period).filter(status__in=ASKED)
    top = list(
        asked.order_by()
        .values_list("agent_id")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(status__in=ANSWERED)))
        .order_by("-asked", "agent_id")[:TOP_AGENTS]
    )
    ids = [agent_id for agent_id, _asked, _answered in top]
    names = {
        pk: (npn, f"{first} {last}")
        for pk, npn, first, last in Agent.objects.filter(pk__in=ids).values_list(
            "pk", "npn", "first_name", "last_name"
        )
    }
    times = percentiles(
        asked.filter(status__in=ANSWERED, agent_id__in=ids),
        value=_time_to_answer(),
        fractions=(0.5,),
        groupings=("agent_id",),
    )["agent_id"]
    return [
        AgentRow(
            npn=names[agent_id][0],
            name=names[agent_id][1],
            asked=asked_count,
            answered=answered,
            median=(times.get(agent_id) or {}).get(0.5),
        )
        for agent_id, asked_count, answered in top
    ]


def dashboard(period: Period) -> Dashboard:
    """Every figure of the dashboard for the period."""
    cells = _cells(period)
    times = percentiles(
        offers_in(period).filter(status=OfferStatus.ACCEPTED),
        value=_time_to_accept(),
        fractions=FRACTIONS,
        groupings=(None, "referral__state", "referral__language"),
    )
    total = Row(key="", label="")
    for cell in cells.values():
        total.add(cell)
    overall = times[None].get(None) or {}
    total.median, total.p90 = overall.get(0.5), overall.get(0.9)
    response = percentiles(
        offers_in(period).filter(status__in=ANSWERED),
        value=_time_to_answer(),
        fractions=FRACTIONS,
    )[None].get(None) or dict.fromkeys(FRACTIONS)
    return Dashboard(
        period=period,
        total=total,
        by_state=_rows(cells, index=0, label=_state_label, times=times["referral__state"]),
        by_language=_rows(cells, index=1, label=language_label, times=times["referral__language"]),
        requests=requests_over_time(period),
        accept_bands=[
            Band(lower, upper, count)
            for (lower, upper), count in zip(ACCEPT_BANDS, total.bands, strict=True)
        ],
        asked=total.asked,
        answered=total.answered,
        response=response,
        agents=_agents(period),
    )


def _state_label(code: str) -> str:
    return STATE_NAMES.get(code, code)
