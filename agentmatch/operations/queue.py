"""The live queue: what is waiting, offered or recently unmatched, and the agents to serve it.

Read-only queries for the operators' queue page (views_queue.py). Every figure is an
aggregate the database computes (GROUP BY state and language, or one bounded page of rows):
nothing here loops over agents, so a refresh makes the same few queries with 100 agents or
100,000 (docs/benchmarks.md has what they cost).
The rows carry no consumer name, phone or email: support follows a referral by its number
and opens the timeline, which decides what it shows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from uuid import UUID

from django import forms
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agentmatch.agents.models import Agent
from agentmatch.core.languages import LANGUAGE_NAMES
from agentmatch.core.states import STATE_CHOICES
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.operations.labels import language_label
from agentmatch.referrals.event_details import describe, recognise
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.referrals.reference import format_reference

# "Waiting": no agent has it right now (before the first offer, or between offers).
WAITING_STATUSES = (ReferralStatus.NEW, ReferralStatus.WAITING)
AGES = (0, 5, 15, 30, 60)  # minutes since the consumer asked
DEFAULT_HOURS = 24
MAX_HOURS = 7 * 24
# Rows shown per section and in the supply table; the headings still count them all, and
# the filters narrow them down. The page is re-rendered every few seconds: keep it small.
ROWS_PER_SECTION = 50
SUPPLY_ROWS = 40


def _language_choices() -> list[tuple[str, str]]:
    named = sorted(((code, language_label(code)) for code in LANGUAGE_NAMES), key=lambda c: c[1])
    return [("", pgettext("languages", "All")), *named]


def _age_choices() -> list[tuple[int, str]]:
    more_than = [(m, gettext("More than %(minutes)d min") % {"minutes": m}) for m in AGES[1:]]
    return [(0, pgettext("age", "Any")), *more_than]


class QueueFilterForm(forms.Form):
    """The queue's filters, from the query string; every field may be left out."""

    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Everything")),
            ("waiting", _("Waiting")),
            ("offered", _("Offered")),
            ("unmatched", _("Recently unmatched")),
        ],
        error_messages={"invalid_choice": _("Show waiting, offered or unmatched referrals.")},
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", pgettext_lazy("states", "All")), *STATE_CHOICES],
        error_messages={"invalid_choice": _("“%(value)s” is not a state code.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=_language_choices,
        error_messages={"invalid_choice": _("“%(value)s” is not a language we route.")},
    )
    older_than = forms.TypedChoiceField(
        label=_("Age"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_age_choices,
        error_messages={"invalid_choice": _("Choose an age from the list.")},
    )
    hours = forms.IntegerField(
        label=_("Unmatched in the last (hours)"),
        required=False,
        min_value=1,
        max_value=MAX_HOURS,
        error_messages={
            "invalid": _("Give the hours as a whole number."),
            "min_value": _("Look back at least 1 hour."),
            "max_value": _("Look back at most %(limit_value)s hours."),
        },
    )

    def filters(self) -> "QueueFilters":
        data = self.cleaned_data
        return QueueFilters(
            show=data.get("show") or "",
            state=data.get("state") or "",
            language=data.get("language") or "",
            older_than=int(data.get("older_than") or 0),
            hours=int(data.get("hours") or DEFAULT_HOURS),
        )


@dataclass(frozen=True)
class QueueFilters:
    show: str = ""  # "waiting", "offered" or "unmatched"; "" for all of them
    state: str = ""
    language: str = ""
    older_than: int = 0  # minutes; applies to open referrals (waiting, offered)
    hours: int = DEFAULT_HOURS  # how far back "recently unmatched" looks

    def shows(self, section: str) -> bool:
        return self.show in ("", section)


@dataclass(frozen=True)
class QueueRow:
    """What every row says about a referral: its number, where and in which language."""

    public_id: UUID
    reference: str  # the code people read out ("K7QF-3M9D")
    state: str
    city: str
    language: str
    received_at: datetime


@dataclass(frozen=True)
class WaitingRow(QueueRow):
    age_seconds: int
    offers: int  # offers made so far (all declined or lapsed)
    gives_up_at: datetime | None  # when it ends unmatched if still nobody


@dataclass(frozen=True)
class OfferedRow(QueueRow):
    age_seconds: int
    agent_name: str
    agent_npn: str
    position: int
    deadline: datetime
    seconds_left: int


@dataclass(frozen=True)
class UnmatchedRow(QueueRow):
    ended_at: datetime
    waited_seconds: int
    offers: int
    reason: str
    # The reason in the page's language, or the stored English when it is not a known one.
    reason_translated: bool


_ROW_COLUMNS = ("public_id", "reference_code", "state", "city", "language", "created_at")


def _columns(prefix: str = "") -> list[str]:
    return [prefix + column for column in _ROW_COLUMNS]


def _row(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """QueueRow's fields from a values() row of the columns above."""
    public_id, code, state, city, language, created_at = (values[c] for c in _columns(prefix))
    return {
        "public_id": public_id,
        # A referral stored before codes existed is known by its UUID (what it was told).
        "reference": format_reference(code) if code else str(public_id),
        "state": state,
        "city": city,
        "language": language,
        "received_at": created_at,
    }


@dataclass(frozen=True)
class Section[Row]:
    rows: list[Row]
    total: int  # all that match, when more than ROWS_PER_SECTION


@dataclass(frozen=True)
class SupplyRow:
    state: str
    language: str
    eligible: int  # agents routed for this state and language
    available: int  # ... of whom switched on (or within their hours) now
    waiting: int  # referrals nobody has right now

    @property
    def demand_without_supply(self) -> bool:
        return self.waiting > 0 and self.available == 0


@dataclass(frozen=True)
class Gap:
    """A state and language with referrals waiting and no agent available."""

    state: str
    language: str
    waiting: int
    eligible: int


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


def _referrals(filters: QueueFilters, prefix: str = "") -> Q:
    where = Q()
    if filters.state:
        where &= Q(**{f"{prefix}state": filters.state})
    if filters.language:
        where &= Q(**{f"{prefix}language": filters.language})
    return where


def _open_referrals(filters: QueueFilters, now: datetime, prefix: str = "") -> Q:
    where = _referrals(filters, prefix)
    if filters.older_than:
        where &= Q(**{f"{prefix}created_at__lte": now - timedelta(minutes=filters.older_than)})
    return where


def waiting_referrals(filters: QueueFilters, *, now: datetime) -> Section[WaitingRow]:
    """Referrals nobody has right now, the longest-waiting first (the order they get served)."""
    found = Referral.objects.filter(
        _open_referrals(filters, now), status__in=WAITING_STATUSES
    ).order_by("created_at", "pk")
    rows = found.annotate(offer_count=Count("offers")).values(
        *_columns(), "offer_count", "wait_expires_at"
    )[:ROWS_PER_SECTION]
    return Section(
        rows=[
            WaitingRow(
                **_row(r),
                age_seconds=_seconds(now, r["created_at"]),
                offers=r["offer_count"],
                gives_up_at=r["wait_expires_at"],
            )
            for r in rows
        ],
        total=found.count(),
    )


def offered_referrals(filters: QueueFilters, *, now: datetime) -> Section[OfferedRow]:
    """Referrals with an agent deciding now, the nearest deadline first."""
    found = Offer.objects.filter(
        _open_referrals(filters, now, "referral__"),
        status=OfferStatus.PENDING,
        referral__status=ReferralStatus.OFFERED,
    ).order_by("expires_at", "pk")
    rows = list(
        found.values(*_columns("referral__"), "agent_id", "position", "expires_at")[
            :ROWS_PER_SECTION
        ]
    )
    # The agents of this page of offers only: joined in the same query, the planner hashes
    # the whole agents table first (90 ms at 100,000 agents).
    agents = {
        pk: (f"{first} {last}".strip(), npn)
        for pk, first, last, npn in Agent.objects.filter(
            pk__in={r["agent_id"] for r in rows}
        ).values_list("pk", "first_name", "last_name", "npn")
    }
    return Section(
        rows=[
            OfferedRow(
                **_row(r, "referral__"),
                age_seconds=_seconds(now, r["referral__created_at"]),
                agent_name=agents[r["agent_id"]][0],
                agent_npn=agents[r["agent_id"]][1],
                position=r["position"],
                deadline=r["expires_at"],
                seconds_left=_seconds(r["expires_at"], now),
            )
            for r in rows
        ],
        total=found.count(),
    )


def _reason(end_reason: str) -> dict[str, Any]:
    code, params = recognise(end_reason)
    return {"reason": describe(code, params, fallback=end_reason), "reason_translated": bool(code)}


def recently_unmatched(filters: QueueFilters, *, now: datetime) -> Section[UnmatchedRow]:
    """Referrals that ended with no agent in the last `filters.hours`, the latest first."""
    found = Referral.objects.filter(
        _referrals(filters),
        status=ReferralStatus.UNMATCHED,
        ended_at__gte=now - timedelta(hours=filters.hours),
    ).order_by("-ended_at", "-pk")
    rows = found.annotate(offer_count=Count("offers")).values(
        *_columns(), "ended_at", "offer_count", "end_reason"
    )[:ROWS_PER_SECTION]
    return Section(
        rows=[
            UnmatchedRow(
                **_row(r),
                # Never None: an unmatched referral has ended (ended_referral_has_end_time).
                ended_at=cast(datetime, r["ended_at"]),
                waited_seconds=_seconds(cast(datetime, r["ended_at"]), r["created_at"]),
                offers=r["offer_count"],
                **_reason(r["end_reason"]),
            )
            for r in rows
        ],
        total=found.count(),
    )


def agent_supply(filters: QueueFilters) -> Section[SupplyRow]:
    """Per state and language: agents routed there, available now, and referrals waiting.

    Two GROUP BY queries (the routing index, the open referrals) joined here by their key:
    at most one row per state and language served, whatever the number of agents.
    Demand without supply comes first, then the other pairs with referrals waiting, then
    the rest, each by state and language.
    """
    slots = RoutingSlot.objects.filter(_referrals(filters))
    supply = {
        (row["state"], row["language"]): (row["eligible"], row["available"])
        for row in slots.values("state", "language")
        .annotate(eligible=Count("pk"), available=Count("pk", filter=Q(is_available=True)))
        .order_by()
    }
    demand = {
        (row["state"], row["language"]): row["waiting"]
        for row in Referral.objects.filter(_referrals(filters), status__in=WAITING_STATUSES)
        .values("state", "language")
        .annotate(waiting=Count("pk"))
        .order_by()
    }
    rows = [
        SupplyRow(key[0], key[1], *supply.get(key, (0, 0)), waiting=demand.get(key, 0))
        for key in supply.keys() | demand.keys()
    ]
    rows.sort(key=lambda r: (not r.demand_without_supply, not r.waiting, r.state, r.language))
    return Section(rows=rows[:SUPPLY_ROWS], total=len(rows))


def demand_without_supply() -> list[Gap]:
    """Every state and language with referrals waiting and nobody available to take them.

    Unfiltered on purpose: the page warns about these whatever the operator is looking at.
    One grouped query over the waiting referrals; the NOT EXISTS reads the routing index's
    partial index of available slots.
    """
    same_pair = {"state": OuterRef("state"), "language": OuterRef("language")}
    gaps = list(
        Referral.objects.filter(status__in=WAITING_STATUSES)
        .filter(~Exists(RoutingSlot.objects.filter(is_available=True, **same_pair)))
        .values("state", "language")
        .annotate(waiting=Count("pk"))
        .order_by("state", "language")
    )
    if not gaps:
        return []
    eligible = {
        (row["state"], row["language"]): row["eligible"]
        for row in RoutingSlot.objects.filter(
            state__in={g["state"] for g in gaps}, language__in={g["language"] for g in gaps}
        )
        .values("state", "language")
        .annotate(eligible=Count("pk"))
        .order_by()
    }
    return [
        Gap(
            state=g["state"],
            language=g["language"],
            waiting=g["waiting"],
            eligible=eligible.get((g["state"], g["language"]), 0),
        )
        for g in gaps
    ]
