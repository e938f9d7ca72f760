"""The discrete-event simulation: the real intake, offer, answer and worker code on a
simulated clock.

Events (a request arrives, an agent answers, the worker looks at the clock) wait in a
heap ordered by (time, sequence number); each is handled by calling the same action the
real door calls, with `now=` the event's time. After each event the simulator looks at
the offers the real code made and decides, from the scenario's behaviour and a random
stream keyed by the seed, whether and when each agent answers. Nothing is delivered: the
notifications outbox fills up on the scratch database and nobody sends it.

The outcome is read back from the database by position (the request's index, the agent's
NPN), never by primary key, so two runs compare equal whatever ids the database hands out.
"""

import heapq
import math
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.test import override_settings

from agentmatch.accounts.agent_actions import flip_switch
from agentmatch.agents.models import Agent
from agentmatch.demo.data import DemoAgent
from agentmatch.demo.loader import load_demo_agents
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.eligibility.services import refresh_all_routing_states
from agentmatch.lab.outcome import OfferRecord, Outcome, ReferralRecord
from agentmatch.lab.population import (
    ABSENT,
    FAST,
    SimRequest,
    first_day_start,
    sim_agents,
    sim_requests,
)
from agentmatch.lab.scenario import POLICY_PARAMETERS, Scenario
from agentmatch.planyears.services import STATES_SERVED_2026, define_plan_year
from agentmatch.referrals import jobs
from agentmatch.referrals.actions.offers import ACCEPT, REJECT, answer_offer
from agentmatch.referrals.actions.requests import API, RequestFields, submit_request
from agentmatch.referrals.intake import IntakeError
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.referrals.problems import OfferConflict

ARRIVE, ANSWER, EXPIRY, TICK, BACK = "arrive", "answer", "expiry", "tick", "back"
# How often the run notes which agents are available (for "agents available during the day").
SAMPLE_SECONDS = 900


@dataclass
class _State:
    heap: list[tuple[datetime, int, str, object]] = field(default_factory=list)
    seq: int = 0
    last_offer_pk: int = 0
    offers_seen: int = 0
    refused: int = 0
    late: int = 0
    swept: int = 0
    agents: dict[int, Agent] = field(default_factory=dict)
    busy_until: dict[str, datetime] = field(default_factory=dict)  # on a call, by NPN
    accepted: Counter[str] = field(default_factory=Counter)  # referrals accepted so far
    available: set[str] = field(default_factory=set)  # seen available at some moment


def _push(state: _State, at: datetime, kind: str, payload: object) -> None:
    state.seq += 1
    heapq.heappush(state.heap, (at, state.seq, kind, payload))


def prepare_database(scenario: Scenario, specs: list[DemoAgent]) -> list[str]:
    """Plan year, agents and their routing rows, as they stand when the day begins."""
    start = scenario_start(scenario)
    with transaction.atomic(durable=True):
        plan_year = define_plan_year(
            year=scenario.plan_year, states=STATES_SERVED_2026, make_current=True
        )
        load_demo_agents(specs=specs, plan_year=scenario.plan_year, now=start)
        refresh_all_routing_states(plan_year=plan_year, today=scenario.day)
    return [s.npn for s in specs]


def scenario_start(scenario: Scenario) -> datetime:
    return first_day_start(scenario).astimezone(UTC)


def _answer_delay(scenario: Scenario, temperament: str, rng: random.Random) -> float | None:
    """Seconds until the agent answers, or None if they never do."""
    b = scenario.behaviour
    if temperament == ABSENT:
        return None
    if temperament == FAST:
        median = b.fast_median_seconds
    else:
        if rng.random() >= b.answer_share:
            return None
        median = b.response_median_seconds
    return rng.lognormvariate(math.log(median), b.response_sigma)


def _accept_share(scenario: Scenario, miles: float, language: str, accepted: int) -> float:
    """By distance, times the request's language's factor, less for each referral taken."""
    b = scenario.behaviour
    share = next((band.accept for band in b.accept_by_distance if miles <= band.up_to_miles), 0)
    factor = (b.accept_by_language or {}).get(language, 1.0)
    return share * factor * (1 - b.accept_drop_per_referral) ** accepted


def _observe(scenario: Scenario, state: _State, temperaments: dict[str, str]) -> None:
    """Decides how each agent will answer the offers made since the last look."""
    b = scenario.behaviour
    new = list(
        Offer.objects.filter(pk__gt=state.last_offer_pk)
        .order_by("pk")
        .values_list(
            "pk",
            "agent_id",
            "agent__npn",
            "distance_miles",
            "offered_at",
            "expires_at",
            "referral__language",
        )
    )
    for pk, agent_id, npn, miles, offered_at, expires_at, language in new:
        state.last_offer_pk = pk
        state.offers_seen += 1
        state.available.add(npn)
        rng = random.Random(f"{scenario.seed}:offer:{state.offers_seen}")
        _push(state, expires_at, EXPIRY, None)
        temperament = temperaments.get(npn, ABSENT)
        delay = _answer_delay(scenario, temperament, rng)
        # Drawn whatever happens, so one offer's fate never shifts the next one's stream.
        accept_roll, call, back_roll, back = (
            rng.random(),
            rng.lognormvariate(math.log(max(b.call_median_seconds, 1)), b.call_sigma),
            rng.random(),
            rng.lognormvariate(math.log(b.back_median_seconds), 1.0),
        )
        # On the phone with an earlier consumer: the offer is seen when the call ends.
        seen = max(offered_at, state.busy_until.get(npn, offered_at))
        if delay is None or seen + timedelta(seconds=delay) >= expires_at:
            # It lapses: the worker pauses the agent (PAUSE_AGENT_AFTER_MISSED_OFFER), who
            # may come back later by the real switch; the reliably absent never do.
            if temperament != ABSENT and back_roll < b.back_share:
                _push(state, expires_at + timedelta(seconds=back), BACK, (agent_id, npn))
            continue
        share = _accept_share(scenario, float(miles), language, state.accepted[npn])
        answer = ACCEPT if accept_roll < share else REJECT
        _push(
            state,
            seen + timedelta(seconds=delay),
            ANSWER,
            (pk, agent_id, npn, answer, call if b.call_median_seconds else 0.0),
        )


def _run_worker(now: datetime, *, sweep: bool) -> int:
    """What the worker does when it looks at the clock: each job until it finds nothing."""
    for job in (jobs.expire_offers_batch, jobs.end_one_wait, jobs.recheck_one_availability):
        while job(now):
            pass
    return jobs.offer_waiting(now) if sweep else 0


def _arrive(state: _State, request: SimRequest) -> None:
    fields = RequestFields(
        first_name="Simulated",
        last_name=f"Consumer {request.index}",
        phone=request.phone,
        email=None,
        zip_code=request.zip_code,
        language=request.language,
        consent=True,
    )
    i = request.index
    try:
        submit_request(
            fields=fields,
            channel=API,
            # One address each (from 10/8, never routed): the per-address limit is for abuse.
            client_address=f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
            now=request.at,
        )
    except IntakeError:
        state.refused += 1


def _agent(state: _State, agent_id: int) -> Agent:
    agent = state.agents.get(agent_id)
    if agent is None:
        agent = state.agents[agent_id] = Agent.objects.get(pk=agent_id)
    return agent


def _answer(
    state: _State,
    offer_id: int,
    agent_id: int,
    npn: str,
    answer: str,
    call_seconds: float,
    *,
    now: datetime,
) -> None:
    try:
        answer_offer(
            offer_id=offer_id,
            agent=_agent(state, agent_id),
            answer=answer,  # type: ignore[arg-type]
            now=now,
            channel="api",
        )
    except OfferConflict:
        state.late += 1
        return
    if answer == ACCEPT:
        state.accepted[npn] += 1
        state.busy_until[npn] = now + timedelta(seconds=call_seconds)


def _come_back(state: _State, agent_id: int, npn: str, *, now: datetime) -> None:
    """The agent taps "I'm back", if they are still paused after a missed offer."""
    paused = (
        Agent.objects.filter(pk=agent_id, paused_after_missed_offer_at__isnull=False)
        .values_list("pk", flat=True)
        .first()
    )
    if paused is None:
        return
    agent = state.agents[agent_id] = Agent.objects.get(pk=agent_id)
    flip_switch(agent=agent, now=now, channel="api", on=True)


def _note_available(state: _State) -> None:
    state.available.update(
        RoutingSlot.objects.filter(is_available=True)
        .values_list("agent__npn", flat=True)
        .distinct()
    )


@contextmanager
def scenario_settings(scenario: Scenario) -> Iterator[None]:
    """The run's routing: its offer window and waiting limit, its policy and the policy's
    parameters, as the deployment settings the real code reads at each call."""
    parameters = {
        POLICY_PARAMETERS[key][0]: POLICY_PARAMETERS[key][1](value)
        for key, value in scenario.policy_parameters.items()
    }
    with override_settings(
        OFFER_WINDOW_SECONDS=scenario.offer_window_seconds,
        MAX_WAIT_SECONDS=scenario.waiting_limit_seconds,
        ROUTING_POLICY=scenario.policy,
        **parameters,
    ):
        yield


def simulate(scenario: Scenario, *, progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Runs the scenario's day on the current (scratch) database and reads the outcome.

    The caller makes sure the database is a scratch one (see the `simulate` command).
    `progress(done, total)` is told after each event, with total counting the events known.
    """
    state = _State()
    specs, temperaments = sim_agents(scenario)
    requests = sim_requests(scenario)
    start = scenario_start(scenario)
    with scenario_settings(scenario):
        npns = prepare_database(scenario, specs)
        for request in requests:
            _push(state, request.at, ARRIVE, request)
        last = requests[-1].at if requests else start
        horizon = max(start + timedelta(days=1), last) + timedelta(
            seconds=scenario.waiting_limit_seconds + 2 * scenario.offer_window_seconds
        )
        _push(state, start, TICK, None)
        next_sweep = next_sample = start
        done = 0
        while state.heap:
            now, _, kind, payload = heapq.heappop(state.heap)
            if kind == ARRIVE:
                assert isinstance(payload, SimRequest)
                _arrive(state, payload)
            elif kind == ANSWER:
                assert isinstance(payload, tuple)
                _answer(state, *payload, now=now)
            elif kind == EXPIRY:
                _run_worker(now, sweep=False)
            elif kind == BACK:
                assert isinstance(payload, tuple)
                _come_back(state, *payload, now=now)
            else:
                sweep = now >= next_sweep
                if sweep:
                    next_sweep = now + timedelta(seconds=scenario.sweep_seconds)
                state.swept += _run_worker(now, sweep=sweep)
                if now >= next_sample:
                    next_sample = now + timedelta(seconds=SAMPLE_SECONDS)
                    _note_available(state)
                following = now + timedelta(seconds=scenario.worker_tick_seconds)
                if following <= horizon:
                    _push(state, following, TICK, None)
            _observe(scenario, state, temperaments)
            done += 1
            if progress is not None:
                progress(done, done + len(state.heap))
    return read_outcome(scenario, npns, requests, state)


def read_outcome(
    scenario: Scenario, npns: list[str], requests: list[SimRequest], state: _State
) -> Outcome:
    start = scenario_start(scenario)

    def seconds(at: datetime | None) -> float | None:
        return None if at is None else round((at - start).total_seconds(), 3)

    index_by_phone = {r.phone: r.index for r in requests}
    offers: dict[int, list[OfferRecord]] = {}
    accepted_at: dict[int, datetime | None] = {}
    for referral_id, npn, offered_at, miles, status, responded_at in Offer.objects.order_by(
        "referral_id", "position", "pk"
    ).values_list(
        "referral_id", "agent__npn", "offered_at", "distance_miles", "status", "responded_at"
    ):
        if status == OfferStatus.ACCEPTED:
            accepted_at[referral_id] = responded_at
        offers.setdefault(referral_id, []).append(
            OfferRecord(npn, seconds(offered_at) or 0.0, float(miles), str(status))
        )
    records = []
    for (
        pk,
        phone,
        ref_state,
        language,
        created_at,
        status,
        ended_at,
    ) in Referral.objects.values_list(
        "pk", "phone", "state", "language", "created_at", "status", "ended_at"
    ):
        own = tuple(offers.get(pk, ()))
        accepted = [o for o in own if o.status == OfferStatus.ACCEPTED]
        accepted_when = accepted_at.get(pk)
        records.append(
            ReferralRecord(
                index=index_by_phone.get(phone, -1),
                state=ref_state,
                language=language,
                created_at=seconds(created_at) or 0.0,
                status=str(status),
                accepted_at=seconds(accepted_when),
                ended_at=seconds(accepted_when if status == ReferralStatus.ACCEPTED else ended_at),
                distance_miles=accepted[0].distance_miles if accepted else None,
                offers=own,
            )
        )
    return Outcome(
        scenario=scenario.name,
        seed=scenario.seed,
        policy=scenario.policy,
        agents=tuple(npns),
        referrals=tuple(sorted(records, key=lambda r: r.index)),
        refused=state.refused,
        late_answers=state.late,
        swept=state.swept,
        available_agents=tuple(npn for npn in npns if npn in state.available),
    )
