"""Routing policies: in what order the qualified agents nearest a consumer are offered.

A policy never decides who qualifies: matching.find_candidates does (every eligibility
rule), and a policy only reorders the candidates it returns, nearest first. Each choice
carries the event_details code and parameters that say why, written with the offer.
docs/routing-lab.md defines each policy; ROUTING_POLICY chooses the deployment's, and
services.offer_next takes another per call (the routing lab runs one per simulation).

- nearest: Help On Demand's. The closest first (ties: longest since their last offer).
- fair: the band is every candidate within max(closest + ROUTING_BAND_MILES,
  closest x ROUTING_BAND_RATIO) miles; inside it, the least recently offered first (never
  offered before anyone), then the closest; after the band, the rest by distance.
- responsive: the same band, ordered by an answer score from the agent's last
  ROUTING_RESPONSIVE_OFFERS settled offers (accepted, rejected or expired) made in the last
  ROUTING_RESPONSIVE_DAYS days: with a answered of n, mean answer time t seconds and offer
  window W,  score = (a + 1) / (n + 2) x (1 - t / (2W))  (t = W/2 when nothing answered).
  A new agent scores 0.375; one who answered all of 10 at once 0.92; one who let all 10
  lapse 0.06. The floor: nobody leaves the band, a low score only orders them later (they
  are offered whenever everyone above is busy or has been offered this referral), and
  offers older than the days window are forgotten, so a passed-over agent comes back at
  a new agent's score.

Under every policy, ROUTING_WRAP_UP_SECONDS (0, off, by default) moves the agents who
accepted a referral that recently after every other candidate: see `wrap_up_last`.

Apart from the order, ROUTING_ADAPTIVE_WINDOW (off by default) shortens a new offer's
window when the queue in its state and language is long: see `window_for`.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings

from agentmatch.eligibility.models import RoutingSlot
from agentmatch.referrals.event_details import Params
from agentmatch.referrals.matching import Candidate
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus

OFFERED = "offered"
OFFERED_FAIR = "offered_fair"
OFFERED_RESPONSIVE = "offered_responsive"
# The adaptive window cut this offer's window (any policy chose the agent).
OFFERED_SHORT_WINDOW = "offered_short_window"


@dataclass(frozen=True)
class Choice:
    candidate: Candidate
    # An event_details code for the "offered" event, and its parameters beyond those every
    # offer has (position, npn, rank, distance_miles).
    code: str = OFFERED
    params: Params | None = None


class Policy(Protocol):
    @property
    def name(self) -> str: ...

    # How many of the nearest qualified agents it looks at first (the wider re-query
    # looks at 50, as before).
    @property
    def pool(self) -> int: ...

    def order(
        self, referral: Referral, candidates: Sequence[Candidate], now: datetime
    ) -> list[Choice]: ...


@dataclass(frozen=True)
class Nearest:
    name: str = "nearest"
    pool: int = 5

    def order(
        self, referral: Referral, candidates: Sequence[Candidate], now: datetime
    ) -> list[Choice]:
        return [Choice(candidate) for candidate in candidates]


def band(candidates: Sequence[Candidate], miles: float, ratio: float) -> tuple[int, float]:
    """How many of the candidates (nearest first) lie in the band, and its width in miles."""
    if not candidates:
        return 0, 0.0
    closest = candidates[0].distance_miles
    edge = max(closest + miles, closest * ratio)
    inside = sum(1 for c in candidates if c.distance_miles <= edge * (1 + 1e-9))
    return inside, edge - closest


def _band_params(candidates: Sequence[Candidate], inside: int, width: float) -> Params:
    return {
        "band_agents": inside,
        "band_miles": round(width, 1),
        "closest_miles": round(candidates[0].distance_miles, 1),
    }


@dataclass(frozen=True)
class Fair:
    band_miles: float = 5.0
    band_ratio: float = 1.5
    name: str = "fair"
    pool: int = 20

    def order(
        self, referral: Referral, candidates: Sequence[Candidate], now: datetime
    ) -> list[Choice]:
        inside, width = band(candidates, self.band_miles, self.band_ratio)
        params = _band_params(candidates, inside, width) if inside else {}
        in_band = sorted(
            candidates[:inside],
            key=lambda c: (
                c.last_offered_at is not None,
                c.last_offered_at or now,
                c.distance_miles,
                c.agent_id,
            ),
        )
        return [Choice(c, OFFERED_FAIR, params) for c in in_band] + [
            Choice(c) for c in candidates[inside:]
        ]


@dataclass(frozen=True)
class Record:
    """An agent's recent answers, and the score they give."""

    settled: int
    answered: int
    mean_answer_seconds: float | None

    def score(self, window_seconds: float) -> float:
        rate = (self.answered + 1) / (self.settled + 2)
        seconds = self.mean_answer_seconds
        if seconds is None:
            seconds = window_seconds / 2
        pace = 1 - min(seconds, window_seconds) / (2 * window_seconds)
        return rate * pace


def records(
    agent_ids: Sequence[int], *, now: datetime, offers: int, days: int
) -> dict[int, Record]:
    """Each agent's last `offers` settled offers made within `days` days, summed up."""
    rows = (
        Offer.objects.filter(
            agent_id__in=list(agent_ids),
            offered_at__gte=now - timedelta(days=days),
            offered_at__lte=now,
            status__in=(OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.EXPIRED),
        )
        .order_by("agent_id", "-offered_at", "-pk")
        .values_list("agent_id", "status", "offered_at", "responded_at")
    )
    recent: dict[int, list[tuple[str, float | None]]] = defaultdict(list)
    for agent_id, status, offered_at, responded_at in rows:
        if len(recent[agent_id]) >= offers:
            continue
        seconds = None
        if status != OfferStatus.EXPIRED and responded_at is not None:
            seconds = (responded_at - offered_at).total_seconds()
        recent[agent_id].append((status, seconds))
    result = {}
    for agent_id in agent_ids:
        times = [s for _, s in recent.get(agent_id, []) if s is not None]
        result[agent_id] = Record(
            settled=len(recent.get(agent_id, [])),
            answered=len(times),
            mean_answer_seconds=sum(times) / len(times) if times else None,
        )
    return result


@dataclass(frozen=True)
class Responsive:
    band_miles: float = 5.0
    band_ratio: float = 1.5
    offers: int = 10
    days: int = 14
    name: str = "responsive"
    pool: int = 20

    def order(
        self, referral: Referral, candidates: Sequence[Candidate], now: datetime
    ) -> list[Choice]:
        inside, width = band(candidates, self.band_miles, self.band_ratio)
        if not inside:
            return []
        shared = _band_params(candidates, inside, width)
        known = records(
            [c.agent_id for c in candidates[:inside]], now=now, offers=self.offers, days=self.days
        )
        window = float(settings.OFFER_WINDOW_SECONDS)
        scores = {pk: record.score(window) for pk, record in known.items()}
        in_band = sorted(
            candidates[:inside],
            key=lambda c: (
                -round(scores[c.agent_id], 6),
                c.last_offered_at is not None,
                c.last_offered_at or now,
                c.distance_miles,
                c.agent_id,
            ),
        )
        chosen = []
        for c in in_band:
            record = known[c.agent_id]
            params = {
                **shared,
                "score": round(scores[c.agent_id], 2),
                "answered": record.answered,
                "settled": record.settled,
            }
            chosen.append(Choice(c, OFFERED_RESPONSIVE, params))
        return chosen + [Choice(c) for c in candidates[inside:]]


def accepted_recently(agent_ids: Sequence[int], *, now: datetime) -> dict[int, datetime]:
    """When each of these agents last accepted a referral, for those who did within
    ROUTING_WRAP_UP_SECONDS (one indexed query; none while the wrap-up time is off)."""
    seconds = settings.ROUTING_WRAP_UP_SECONDS
    if not seconds or not agent_ids:
        return {}
    latest: dict[int, datetime] = {}
    for agent_id, at in Offer.objects.filter(
        agent_id__in=list(agent_ids),
        status=OfferStatus.ACCEPTED,
        responded_at__gt=now - timedelta(seconds=seconds),
        responded_at__lte=now,
    ).values_list("agent_id", "responded_at"):
        if at is not None:  # an accepted offer always has its answer time
            latest[agent_id] = max(at, latest.get(agent_id, at))
    return latest


def wrap_up_last(
    choices: Sequence[Choice],
    accepted: dict[int, datetime],
    *,
    now: datetime,
    notes: list[tuple[str, Params]],
) -> Iterator[Choice]:
    """The policy's choices with the agents still in their wrap-up time (a referral accepted
    within ROUTING_WRAP_UP_SECONDS: `accepted`) moved after everyone else, in the same
    order; each one passed over is noted in `notes` as it is (code "skipped_wrap_up").
    Never removed: they are offered when nobody else can be."""
    later = []
    for choice in choices:
        at = accepted.get(choice.candidate.agent_id)
        if at is None:
            yield choice
            continue
        later.append(choice)
        minutes = max(0, int((now - at).total_seconds() // 60))
        notes.append(("skipped_wrap_up", {"agent": choice.candidate.agent_id, "minutes": minutes}))
    yield from later


def policy_named(name: str) -> Policy:
    """The policy `name`, with this deployment's parameters."""
    if name == "nearest":
        return Nearest()
    if name == "fair":
        return Fair(band_miles=settings.ROUTING_BAND_MILES, band_ratio=settings.ROUTING_BAND_RATIO)
    if name == "responsive":
        return Responsive(
            band_miles=settings.ROUTING_BAND_MILES,
            band_ratio=settings.ROUTING_BAND_RATIO,
            offers=settings.ROUTING_RESPONSIVE_OFFERS,
            days=settings.ROUTING_RESPONSIVE_DAYS,
        )
    raise ValueError(f"unknown routing policy {name!r}: expected nearest, fair or responsive")


def active_policy(policy: Policy | str | None = None) -> Policy:
    """`policy` itself, the one it names, or the deployment's (ROUTING_POLICY)."""
    if policy is None:
        return policy_named(settings.ROUTING_POLICY)
    if isinstance(policy, str):
        return policy_named(policy)
    return policy


@dataclass(frozen=True)
class Window:
    """How long a new offer lasts, and the queue that decided it."""

    seconds: int
    # Requests waiting or offered in the referral's state and language (this one included)
    # per available agent there; None when the adaptive window is off (nothing counted).
    pressure: float | None = None
    waiting: int = 0
    available: int = 0

    @property
    def shortened(self) -> bool:
        return self.seconds < settings.OFFER_WINDOW_SECONDS

    @property
    def minutes(self) -> int | float:
        """The window in minutes as messages write it: whole, or to one decimal."""
        minutes = round(self.seconds / 60, 1)
        return int(minutes) if minutes.is_integer() else minutes


def window_for(*, full: int, minimum: int, waiting: int, available: int) -> Window:
    """The adaptive offer window (docs/routing-lab.md, "Adaptive offer window"):

        pressure = waiting / max(1, available)
        window   = max(minimum, full / max(1, pressure))   (whole seconds, rounded down)

    `waiting` counts the open requests waiting or offered in the referral's state and
    language, this one included; `available` the agents available there. One request per
    agent or fewer (pressure <= 1) keeps the full window; three per agent give a third."""
    pressure = waiting / max(1, available)
    seconds = max(min(minimum, full), int(full / max(1.0, pressure)))
    return Window(
        seconds=min(full, seconds),
        pressure=round(pressure, 2),
        waiting=waiting,
        available=available,
    )


def offer_window(referral: Referral) -> Window:
    """This deployment's window for a new offer of `referral`: OFFER_WINDOW_SECONDS, or
    with ROUTING_ADAPTIVE_WINDOW on, `window_for` the queue in its state and language,
    counted with two indexed COUNT queries (no loop over agents)."""
    full = settings.OFFER_WINDOW_SECONDS
    if not settings.ROUTING_ADAPTIVE_WINDOW:
        return Window(seconds=full)
    others = (
        Referral.objects.filter(
            status__in=(ReferralStatus.WAITING, ReferralStatus.OFFERED),
            state=referral.state,
            language=referral.language,
        )
        .exclude(pk=referral.pk)
        .count()
    )
    # The partial index routing_slot_available covers available slots by state and language.
    available = RoutingSlot.objects.filter(
        state=referral.state, language=referral.language, is_available=True
    ).count()
    return window_for(
        full=full,
        minimum=settings.ROUTING_MIN_WINDOW_SECONDS,
        waiting=others + 1,
        available=available,
    )
