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
    within: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SERVICE_LEVELS, 0))
    median: timedelta | None = None
    p90: timedelta | None = None

    def add(self, other: "Row") -> None:
        for name in ("requests", "unmatched", "offers", "accepted", "rejects", "lapses"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for minutes in SERVICE_LEVELS:
            self.within[minutes] += other.within[minutes]

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
    found = Offer.objects.filter(
        referral__created_at__gte=period.start, referral__created_at__lt=period.end
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
    for row in (
        offers_in(period)
        .order_by()
        .values("referral__state", "referral__language")
        .annotate(
            offers=Count("pk"),
            accepted=Count("pk", filter=accepted),
            rejects=Count("pk", filter=Q(status=OfferStatus.REJECTED)),
            lapses=Count("pk", filter=Q(status=OfferStatus.EXPIRED)),
            within_15=Count("pk", filter=accepted & _accepted_within(15)),
            within_30=Count("pk", filter=accepted & _accepted_within(30)),
        )
    ):
        cell = cells.setdefault(
            (row["referral__state"], row["referral__language"]), Row(key="", label="")
        )
        cell.offers, cell.accepted = row["offers"], row["accepted"]
        cell.rejects, cell.lapses = row["rejects"], row["lapses"]
        cell.within = {15: row["within_15"], 30: row["within_30"]}
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


def accept_bands(period: Period) -> list[Band]:
    """How many requests were accepted within each band of minutes (one query)."""
    accepted = offers_in(period).filter(status=OfferStatus.ACCEPTED)
    counts = {}
    for i, (lower, upper) in enumerate(ACCEPT_BANDS):
        band = (
            ~_accepted_within(lower) & _accepted_within(upper) if lower else _accepted_within(upper)
        )
        counts[f"b{i}"] = Count("pk", filter=band)
    row = accepted.aggregate(**counts)
    return [Band(lower, upper, row[f"b{i}"]) for i, (lower, upper) in enumerate(ACCEPT_BANDS)]


def _agents(period: Period) -> list[AgentRow]:
    """The agents offered the most of the period's requests, with how they answered."""
    asked = offers_in(period).filter(status__in=ASKED)
    top = list(
        asked.order_by()
        .values("agent_id", "agent__npn", "agent__first_name", "agent__last_name")
        .annotate(asked=Count("pk"), answered=Count("pk", filter=Q(status__in=ANSWERED)))
        .order_by("-asked", "agent__last_name", "agent_id")[:TOP_AGENTS]
    )
    times = percentiles(
        asked.filter(status__in=ANSWERED, agent_id__in=[row["agent_id"] for row in top]),
        value=_time_to_answer(),
        fractions=(0.5,),
        group_by="agent_id",
    )
    return [
        AgentRow(
            npn=row["agent__npn"],
            name=f"{row['agent__first_name']} {row['agent__last_name']}",
            asked=row["asked"],
            answered=row["answered"],
            median=(times.get(row["agent_id"]) or {}).get(0.5),
        )
        for row in top
    ]


def dashboard(period: Period) -> Dashboard:
    """Every figure of the dashboard for the period."""
    cells = _cells(period)
    accepted = offers_in(period).filter(status=OfferStatus.ACCEPTED)

    def times(group_by: str | None) -> dict[Hashable, dict[float, timedelta | None]]:
        return percentiles(
            accepted, value=_time_to_accept(), fractions=FRACTIONS, group_by=group_by
        )

    total = Row(key="", label="")
    for cell in cells.values():
        total.add(cell)
    overall = times(None).get(None) or {}
    total.median, total.p90 = overall.get(0.5), overall.get(0.9)
    asked = offers_in(period).filter(status__in=ASKED)
    answer_counts = asked.aggregate(
        asked=Count("pk"), answered=Count("pk", filter=Q(status__in=ANSWERED))
    )
    response = percentiles(
        asked.filter(status__in=ANSWERED), value=_time_to_answer(), fractions=FRACTIONS
    ).get(None) or dict.fromkeys(FRACTIONS)
    return Dashboard(
        period=period,
        total=total,
        by_state=_rows(cells, index=0, label=_state_label, times=times("referral__state")),
        by_language=_rows(cells, index=1, label=language_label, times=times("referral__language")),
        requests=requests_over_time(period),
        accept_bands=accept_bands(period),
        asked=answer_counts["asked"],
        answered=answer_counts["answered"],
        response=response,
        agents=_agents(period),
    )


def _state_label(code: str) -> str:
    return STATE_NAMES.get(code, code)
